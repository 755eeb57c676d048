"""Qt only: windows, tabs, dialogs and table models. Data goes through services/, never SQL here."""
