"""Reading spreadsheets that clerks bring in: rosters of members and households."""
