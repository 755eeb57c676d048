"""First run: create the village, or load a realistic sample village to try the program."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from partybuild_desktop.domain.vocabulary import BranchType

NEW_VILLAGE, SAMPLE_VILLAGE = 0, 1


class ChoicePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("欢迎使用村党建工作台")
        self.setSubTitle("数据只保存在本机的数据文件中，不需要联网。请选择如何开始。")
        self.new_village = QRadioButton("建立本村的台账（填写乡镇、村名、党组织和书记）")
        self.sample = QRadioButton("载入示例村（虚构的数据，用于熟悉程序，以后可以另建数据文件）")
        self.new_village.setChecked(True)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.new_village, NEW_VILLAGE)
        self.choice.addButton(self.sample, SAMPLE_VILLAGE)
        layout = QVBoxLayout(self)
        layout.addWidget(self.new_village)
        layout.addWidget(self.sample)
        layout.addStretch()

    def nextId(self) -> int:
        return FirstRunWizard.VILLAGE_PAGE if self.new_village.isChecked() else FirstRunWizard.SAMPLE_PAGE


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


class FirstRunWizard(QWizard):
    CHOICE_PAGE, VILLAGE_PAGE, SAMPLE_PAGE = range(3)

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
        self.resize(560, 380)

    @property
    def wants_sample(self) -> bool:
        return self.choice_page.sample.isChecked()

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
