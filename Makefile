# Shortcuts for packaging/dev.sh, which does all the set-up itself.
.PHONY: run test bench translations
run:
	bash packaging/dev.sh run
test:
	bash packaging/dev.sh test
bench:
	bash packaging/dev.sh bench
translations:  # after editing resources/translations/*.ts (a test checks the .qm is current)
	.venv/bin/pyside6-lrelease resources/translations/qt_extra_zh_CN.ts -qm resources/translations/qt_extra_zh_CN.qm
