; Inno Setup script for the Windows installer (村党建工作台).
; Build dist\PartyBuildDesktop with PyInstaller first (see BUILD.md), then: iscc packaging\installer.iss
#define AppVersion "0.1.0"

[Setup]
AppId={{6C3F3B2E-8E0B-4C1C-9B7E-2A6D5C9A0F11}
AppName=村党建工作台
AppVersion={#AppVersion}
AppPublisher=村党建工作台
DefaultDirName={autopf}\PartyBuildDesktop
DefaultGroupName=村党建工作台
OutputDir=..\dist
OutputBaseFilename=PartyBuildDesktop-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
PrivilegesRequired=lowest
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
Source: "..\dist\PartyBuildDesktop\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\村党建工作台"; Filename: "{app}\PartyBuildDesktop.exe"
Name: "{autodesktop}\村党建工作台"; Filename: "{app}\PartyBuildDesktop.exe"

[Run]
Filename: "{app}\PartyBuildDesktop.exe"; Description: "启动村党建工作台"; Flags: nowait postinstall skipifsilent

; The data (partybuild.sqlite3, backups, log) lives in %LOCALAPPDATA%\PartyBuildDesktop and is never
; touched by installing, upgrading or uninstalling the program.
