"""The headless commands, run as a clerk's script would run them."""

import hashlib
import sqlite3

import pytest

from tests.helpers import cli, sheet_rows


def test_demo_then_check_then_backup(tmp_path):
    folder = tmp_path / "村"
    made = cli("--data-dir", str(folder), "demo", "--members", "60", "--village", "石桥村", "--seed", "3")
    assert made.returncode == 0, made.stderr
    assert "石桥村" in made.stdout and "党员 63 名" in made.stdout  # 60, two accepted through recruitment, one transferred in
    checked = cli("--data-dir", str(folder), "check")
    assert checked.returncode == 0, checked.stderr
    from partybuild_desktop.store.schema import HEAD_REVISION

    assert "数据文件完好" in checked.stdout and f"{HEAD_REVISION}（最新）" in checked.stdout
    out = tmp_path / "备份" / "石桥村.sqlite3"
    backed = cli("--data-dir", str(folder), "backup", "--out", str(out))
    assert backed.returncode == 0, backed.stderr
    with sqlite3.connect(out) as db:
        assert db.execute("SELECT count(*) FROM member").fetchone()[0] == 60 + 3  # --members 60, two accepted through the sample's recruitment cases, one transferred in
    assert (folder / "partybuild.log").exists()


def test_data_dir_from_the_environment(tmp_path):
    folder = tmp_path / "env"
    result = cli("demo", "--members", "20", env={"PARTYBUILD_DATA_DIR": str(folder)})
    assert result.returncode == 0, result.stderr
    assert (folder / "partybuild.sqlite3").exists()


def test_several_sample_villages_in_one_folder(tmp_path):
    result = cli("--data-dir", str(tmp_path), "demo", "--villages", "3", "--members", "60")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "partybuild.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM village").fetchone()[0] == 3


def test_check_on_a_corrupt_file_says_so_and_touches_nothing(tmp_path):
    data = tmp_path / "partybuild.sqlite3"
    data.write_bytes(b"\x00garbage" * 500)
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    result = cli("--data-dir", str(tmp_path), "check")
    assert result.returncode == 1
    assert "不是本程序的数据文件" in result.stderr
    demo = cli("--data-dir", str(tmp_path), "demo", "--members", "20")
    assert demo.returncode == 2 and "未作任何改动" in demo.stderr
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before


def test_a_newer_data_file_is_refused(tmp_path):
    assert cli("--data-dir", str(tmp_path), "demo", "--members", "20").returncode == 0
    with sqlite3.connect(tmp_path / "partybuild.sqlite3") as db:
        db.execute("UPDATE alembic_version SET version_num = 'ffff'")
    db.close()
    result = cli("--data-dir", str(tmp_path), "backup", "--out", str(tmp_path / "b.sqlite3"))
    assert result.returncode == 2 and "更新版本" in result.stderr
    assert cli("--data-dir", str(tmp_path), "check").returncode == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["demo", "--members", "0"], "必须大于 0"),
        (["demo", "--members", "很多"], "命令参数有误"),
        (["export"], "请给出报表名称"),
        (["no-such-command"], "命令参数有误"),
    ],
)
def test_bad_arguments_get_a_chinese_message(tmp_path, args, message):
    result = cli("--data-dir", str(tmp_path), *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_command_before_the_village_exists_says_what_to_do(tmp_path):
    result = cli("--data-dir", str(tmp_path), "export", "overview", "--out", str(tmp_path / "a.xlsx"))
    assert result.returncode == 2 and "还没有村" in result.stderr


@pytest.fixture(scope="module")
def village_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    assert cli("--data-dir", str(folder), "demo", "--members", "80", "--village", "白沙村").returncode == 0
    return folder


def test_export_list_names_every_export(village_folder):
    result = cli("--data-dir", str(village_folder), "export", "--list")
    assert result.returncode == 0
    names = [line.split("\t")[0] for line in result.stdout.splitlines()]
    from partybuild_desktop.services.exports import catalogue

    assert names == [d.name for d in catalogue()] and "overview" in names


def test_export_overview_as_xlsx_and_pdf_reads_back(village_folder, tmp_path):
    from pypdf import PdfReader
    xlsx, pdf = tmp_path / "概况.xlsx", tmp_path / "概况.pdf"
    for out in (xlsx, pdf):
        result = cli("--data-dir", str(village_folder), "export", "overview", "--out", str(out))
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(village_folder / "partybuild.sqlite3") as db:
        members = db.execute("SELECT count(*) FROM member WHERE NOT archived").fetchone()[0]
        households = db.execute("SELECT count(*) FROM household").fetchone()[0]
    rows = sheet_rows(xlsx)
    assert rows[0][0] == "村党组织基本情况统计表"
    data = next(r for r in rows if r and r[0] == "白沙村")
    assert int(data[1]) == members and int(data[-2]) == households
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "村党组织基本情况统计表" in text and "白沙村" in text and str(households) in text


def test_export_refuses_a_wrong_extension_or_name(village_folder, tmp_path):
    wrong = cli("--data-dir", str(village_folder), "export", "overview", "--out", str(tmp_path / "a.docx"))
    assert wrong.returncode == 2 and "只能导出为 .xlsx 或 .pdf" in wrong.stderr
    unknown = cli("--data-dir", str(village_folder), "export", "nothing", "--out", str(tmp_path / "a.xlsx"))
    assert unknown.returncode == 2 and "没有名为“nothing”的报表" in unknown.stderr
    missing = cli("--data-dir", str(village_folder), "export", "overview", "--out", str(tmp_path / "无此文件夹" / "a.xlsx"))
    assert missing.returncode == 2 and "不存在" in missing.stderr
    assert not list(tmp_path.iterdir())
