; Inno Setup 6 script: the Windows installer of 接访台 Reception Desk, over the frozen one-folder build.
;
; Build on Windows (packaging/windows/README.md), from the repository root:
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\reception-desk.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\reception-desk.iss
; -> dist\reception-desk-0.1.0-setup.exe
;
; Paths below are relative to this file (Inno Setup's SourceDir is the script's folder). Needs Inno Setup 6.3 or
; later (x64compatible). Saved as UTF-8 with a BOM for the Chinese text.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=0.1.0 packaging\windows\reception-desk.iss (reception-desk --version)
#endif

#define AppId "A008797A-7FCE-456D-986C-C4F736C19598"
#define AppName "接访台 Reception Desk"
#define ShortcutName "接访台"
#define Frozen "..\..\dist\reception-desk"
; the spec makes two executables on Windows: reception-desk.exe (console: the command line) and
; reception-desk-gui.exe (windowed: what the shortcuts start, so no console window opens behind the app)
#define ConsoleExe "reception-desk.exe"
#define GuiExe "reception-desk-gui.exe"

#if !FileExists(AddBackslash(SourcePath) + Frozen + "\" + ConsoleExe)
  #error The frozen folder is missing: run pyinstaller packaging\reception-desk.spec first (dist\reception-desk\reception-desk.exe)
#endif
#if FileExists(AddBackslash(SourcePath) + Frozen + "\" + GuiExe)
  #define LaunchExe GuiExe
#else
  #define LaunchExe ConsoleExe
#endif

[Setup]
AppId={{{#AppId}}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
DefaultDirName={autopf}\ReceptionDesk
DisableProgramGroupPage=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#LaunchExe}
SetupIconFile=reception-desk.ico
; per-user install without administrator rights (into %LOCALAPPDATA%\Programs); the dialog offers all users
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\..\dist
OutputBaseFilename=reception-desk-{#AppVersion}-setup
ShowLanguageDialog=auto
CloseApplications=yes

[Languages]
; Chinese first: the default where Windows' language is neither. Recent Inno Setup 6 releases ship
; Languages\ChineseSimplified.isl; with an older one, put the translation from https://jrsoftware.org/files/istrans/
; there (see README.md). Without it the installer is English only, with a warning at compile time.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
  #pragma warning "Languages\ChineseSimplified.isl is not in this Inno Setup: the installer will be English only"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Frozen}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#ShortcutName}"; Filename: "{app}\{#LaunchExe}"; WorkingDir: "{app}"; Comment: "Reception Desk"
Name: "{autodesktop}\{#ShortcutName}"; Filename: "{app}\{#LaunchExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#LaunchExe}"; Description: "{cm:LaunchProgram,{#ShortcutName}}"; Flags: nowait postinstall skipifsilent

; The uninstaller removes the program folder only: the database and log in %LOCALAPPDATA%\reception-desk, the
; settings (HKCU\Software\reception-desk) and a PostgreSQL server are the office's data and stay.
