"""村党建工作台 PartyBuild Desktop: a village party branch's records in one local SQLite file."""

__version__ = "0.1.0"
APP_NAME = "村党建工作台"
