# Shortcuts for packaging/dev.sh, which does all the set-up itself.
.PHONY: run test bench
run:
	bash packaging/dev.sh run
test:
	bash packaging/dev.sh test
bench:
	bash packaging/dev.sh bench
