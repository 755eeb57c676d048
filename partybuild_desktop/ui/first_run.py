"""First run: create the village, set up the township's consolidation, or load a realistic sample village
to try the program."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWizard,
    QWidget,
    QWizardPage,
)

from partybuild_desktop.domain.vocabulary import BranchType

NEW_VILLAGE, SAMPLE_VILLAGE, TOWNSHIP = 0, 1, 2


class ChoicePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("欢迎使用村党建工作台")
        self.setSubTitle("数据只保存在本机的数据文件中，不需要联网。请选择如何开始。")
        self.new_village = QRadioButton("建立本村的台账（填写乡镇、村名、党组织和书记）")
        self.sample = QRadioButton("载入示例村（虚构的数据，用于熟悉程序，以后可以另建数据文件）")
        self.township = QRadioButton("乡镇汇总（乡镇组织办接收各村 U 盘送来的季度报表包，汇总全镇）")
        self.new_village.setChecked(True)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.new_village, NEW_VILLAGE)
        self.choice.addButton(self.sample, SAMPLE_VILLAGE)
        self.choice.addButton(self.township, TOWNSHIP)
        layout = QVBoxLayout(self)
        layout.addWidget(self.new_village)
        layout.addWidget(self.sample)
        layout.addWidget(self.township)
        layout.addStretch()

    def nextId(self) -> int:
        return {NEW_VILLAGE: FirstRunWizard.VILLAGE_PAGE, SAMPLE_VILLAGE: FirstRunWizard.SAMPLE_PAGE,
                TOWNSHIP: FirstRunWizard.TOWNSHIP_PAGE}[self.choice.checkedId()]


class VillagePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("本村党组织")
        self.setSubTitle("带 * 的项目必须填写。党组织全称可留空，程序按村名自动生成。")
        self.township = QLineEdit()
        self.township.setPlaceholderText("例如：城南镇")
        self.village = QLineEdit()
        self.village.setPlaceholderText("例如：东湖村")
        self.branch_type = QComboBox()
        for item in (BranchType.GENERAL_BRANCH, BranchType.BRANCH, BranchType.COMMITTEE):
            self.branch_type.addItem(item.label, item)
        self.branch_name = QLineEdit()
        self.secretary = QLineEdit()
        form = QFormLayout(self)
        form.addRow("乡镇 *", self.township)
        form.addRow("村名 *", self.village)
        form.addRow("党组织类型 *", self.branch_type)
        form.addRow("党组织全称", self.branch_name)
        form.addRow("党组织书记 *", self.secretary)
        self.registerField("township*", self.township)
        self.registerField("village*", self.village)
        self.registerField("secretary*", self.secretary)
        self.village.textChanged.connect(self._suggest_branch_name)
        self.branch_type.currentIndexChanged.connect(self._suggest_branch_name)

    def chosen_branch_type(self) -> BranchType:
        return BranchType(self.branch_type.currentData())

    def _suggest_branch_name(self) -> None:
        name = self.village.text().strip()
        self.branch_name.setPlaceholderText(f"中共{name}{self.chosen_branch_type().label}" if name else "")

    def nextId(self) -> int:
        return -1


class SamplePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("示例村")
        self.setSubTitle("程序将生成一个虚构的村：姓名、身份证号、电话均为虚构，身份证号校验位有效。")
        self.village = QLineEdit("东湖村")
        self.members = QSpinBox()
        self.members.setRange(20, 3000)
        self.members.setValue(150)
        form = QFormLayout(self)
        form.addRow("村名", self.village)
        form.addRow("党员人数（约）", self.members)
        form.addRow(QLabel("生成约需几秒钟。"))

    def nextId(self) -> int:
        return -1


class TownshipFields(QWidget):
    """The township's name and its list of villages (one a line, or separated by 、), which tells the
    township screen who has not sent the quarter's return yet."""

    def __init__(self, township: str = "", villages: list[str] | tuple[str, ...] = ()):
        super().__init__()
        self.township = QLineEdit(township)
        self.township.setObjectName("townshipName")
        self.township.setPlaceholderText("例如：城南镇")
        self.villages = QPlainTextEdit("\n".join(villages))
        self.villages.setObjectName("townshipVillages")
        self.villages.setPlaceholderText("每行一个村，例如：\n东湖村\n石桥村\n柳塘村")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("乡镇 *", self.township)
        form.addRow("本乡镇的村", self.villages)
        form.addRow(QLabel("村名单可以以后再填或修改；没填的村，收到它的报表后也会列出。"))

    def village_names(self) -> list[str]:
        from partybuild_desktop.services.consolidation import split_village_names

        return split_village_names(self.villages.toPlainText())


class TownshipPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("乡镇汇总")
        self.setSubTitle("本数据文件用于乡镇：导入各村的季度报表包，查看哪些村还没有报送，输出汇总表。")
        self.fields = TownshipFields()
        self.registerField("townshipName*", self.fields.township)
        QVBoxLayout(self).addWidget(self.fields)

    def nextId(self) -> int:
        return -1


class FirstRunWizard(QWizard):
    CHOICE_PAGE, VILLAGE_PAGE, SAMPLE_PAGE, TOWNSHIP_PAGE = range(4)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("首次使用设置")
        self.setWizardStyle(QWizard.ClassicStyle)
        self.choice_page = ChoicePage()
        self.village_page = VillagePage()
        self.sample_page = SamplePage()
        self.setPage(self.CHOICE_PAGE, self.choice_page)
        self.setPage(self.VILLAGE_PAGE, self.village_page)
        self.setPage(self.SAMPLE_PAGE, self.sample_page)
        self.township_page = TownshipPage()
        self.setPage(self.TOWNSHIP_PAGE, self.township_page)
        self.resize(560, 420)

    def setup_work(self):
        """What the clerk chose, as ``work(session)`` over plain values read from the pages now (the work
        itself may run off the GUI thread); it raises a ValueError in Chinese when something is missing."""
        from partybuild_desktop.services.consolidation import setup_township
        from partybuild_desktop.services.demo import generate
        from partybuild_desktop.services.village import VILLAGE_MODE, create_village, set_program_mode

        choice = self.choice_page.choice.checkedId()
        if choice == TOWNSHIP:
            fields = self.township_page.fields
            township, villages = fields.township.text(), fields.village_names()
            return lambda session: setup_township(session, township, villages)
        values = self.sample_fields() if choice == SAMPLE_VILLAGE else self.village_fields()
        make = generate if choice == SAMPLE_VILLAGE else create_village

        def work(session) -> None:
            make(session, **values)
            set_program_mode(session, VILLAGE_MODE)
        return work

    def village_fields(self) -> dict:
        page = self.village_page
        return dict(
            township=page.township.text(),
            name=page.village.text(),
            branch_type=page.chosen_branch_type(),
            secretary_name=page.secretary.text(),
            branch_name=page.branch_name.text() or None,
        )

    def sample_fields(self) -> dict:
        return dict(first_village=self.sample_page.village.text().strip() or None, members=self.sample_page.members.value())
