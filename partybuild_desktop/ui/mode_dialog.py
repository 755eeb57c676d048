"""程序用途: whether this data file keeps a village's records or consolidates a township's returns."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QDialog, QDialogButtonBox, QLabel, QRadioButton, QVBoxLayout

from partybuild_desktop.ui.first_run import TownshipFields


class ModeDialog(QDialog):
    def __init__(self, township: str, villages: list[str], is_township: bool, has_village: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle("程序用途")
        self.setMinimumWidth(480)
        self.village = QRadioButton("本村台账：一卡一本一表、网格、先锋榜，导出季度报表交乡镇")
        self.township = QRadioButton("乡镇汇总：导入各村 U 盘送来的季度报表包，查看未报送的村，输出汇总表")
        self.village.setObjectName("villageMode")
        self.township.setObjectName("townshipMode")
        group = QButtonGroup(self)
        group.addButton(self.village)
        group.addButton(self.township)
        (self.township if is_township else self.village).setChecked(True)
        self.fields = TownshipFields(township, villages)
        self.fields.setEnabled(is_township)
        self.township.toggled.connect(self.fields.setEnabled)
        note = ("两种用途的数据互不影响，随时可以切换回来。" if has_village else
                "本数据文件还没有村的台账：改为“本村台账”时会先请您建立本村的台账。")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.village)
        layout.addWidget(self.township)
        layout.addWidget(self.fields)
        layout.addWidget(QLabel(note))
        layout.addWidget(buttons)

    def wants_township(self) -> bool:
        return self.township.isChecked()
