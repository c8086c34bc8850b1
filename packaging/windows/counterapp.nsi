; counterapp — the Windows installer (NSIS 3, Unicode, 64-bit, per-machine).
;
;   makensis /DPAYLOAD=C:\src\dist\counterapp /DVERSION=0.1.0 [/DOUTFILE=...] packaging\windows\counterapp.nsi
;
; PAYLOAD is the PyInstaller onedir bundle (counterapp.exe and its folders). Relative paths are taken from this
; file's folder (makensis changes into it), so CI passes absolute ones. Silent mass deployment:
;
;   counterapp-setup.exe /S /SERVER=https://hcc.example/ /CODE=K7QX-M2PD-9HTC /COUNTER=5
;
; writes %ProgramData%\counterapp\counter.conf ([enroll] server/code/counter), which the app reads at its
; first start to enroll without questions. Exit codes (silent or not): 0 done, 1 cancelled, 2 aborted,
; 10 not an administrator, 11 bad /SERVER, 12 bad /CODE, 13 bad /COUNTER, 14 /CODE or /COUNTER without
; /SERVER, 15 the target folder holds something else, 16 counterapp is running, 17 counter.conf not written,
; 18 another counterapp setup or uninstaller is running.
; The uninstaller (uninstall.exe [/S] [/PURGE]) keeps every user's data and keeps counter.conf unless /PURGE.
;
; This file is UTF-8 with a byte-order mark: without one makensis reads it in the build machine's code page
; and the Vietnamese strings come out garbled.

Unicode true
; A 64-bit installer for a 64-bit app: $PROGRAMFILES64 and HKLM are the native ones with no WOW64
; redirection, and it runs under Debian's wine64 without the 32-bit wine (the test in test-wine.sh).
Target amd64-unicode
RequestExecutionLevel admin
ManifestSupportedOS all
SetCompressor /SOLID lzma
CRCCheck on
ShowInstDetails show
ShowUninstDetails show

!ifndef PAYLOAD
  !error "Give the bundle folder: makensis /DPAYLOAD=path\to\dist\counterapp /DVERSION=x.y.z counterapp.nsi"
!endif
!ifndef VERSION
  !error "Give the version: makensis /DVERSION=x.y.z (the app's counterapp --version)"
!endif
!define /ifndef OUTFILE "..\..\dist\counterapp-setup-${VERSION}.exe"
!define /ifndef PUBLISHER "counterapp"
; Windows wants four numbers in the file's version resource; VERSION may be 0.1.0 or 0.1.0.0.
!define /ifndef VERSION_QUAD "${VERSION}.0"

!define PRODUCT "counterapp"
!define APP_EXE "counterapp.exe"
; The app's command line needs a command; the window is `counterapp gui` (as in the Linux .desktop entry).
!define APP_ARGS "gui"
!define UNINSTALLER "uninstall.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT}"
; One Vietnamese name in every language, so that the uninstaller always knows which shortcut is ours.
!define SHORTCUT "Quầy giao dịch một cửa"
!define CONF_NAME "counter.conf"
; Held by a running setup or uninstaller: a GPO startup script and a remote push can reach the same PC at once.
!define SETUP_MUTEX "Global\counterapp-setup"

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
; An upgrade goes where the previous version is, even if that was a /D= folder.
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION_QUAD}"
VIFileVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} ${VERSION} setup"
VIAddVersionKey /LANG=0 "LegalCopyright" "Apache-2.0"

Var Server
Var Code
Var Counter
Var HasServer
Var HasCode
Var HasCounter
Var Purge
Var Scratch

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE DirectoryLeave
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
; No "run now" box on the finish page: it would start the app elevated, as the administrator, and its data
; directory would land in the administrator's profile instead of the clerk's.
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the fallback when Windows' display language is neither.
!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"

LangString MsgNotAdmin ${LANG_VIETNAMESE} "Cần quyền quản trị (Administrator) để cài đặt hoặc gỡ bỏ ${PRODUCT} cho mọi người dùng của máy này."
LangString MsgNotAdmin ${LANG_ENGLISH} "Administrator rights are needed to install or remove ${PRODUCT} for every user of this PC."
LangString MsgBadServer ${LANG_VIETNAMESE} "Địa chỉ máy chủ /SERVER không hợp lệ: «$Server».$\r$\nĐịa chỉ phải bắt đầu bằng http:// hoặc https://, chỉ gồm chữ cái không dấu, chữ số và . - _ ~ : / [ ], ví dụ https://hcc.example/"
LangString MsgBadServer ${LANG_ENGLISH} "The server address /SERVER is not valid: “$Server”.$\r$\nIt must start with http:// or https:// and hold only ASCII letters, digits and . - _ ~ : / [ ], e.g. https://hcc.example/"
LangString MsgBadCode ${LANG_VIETNAMESE} "Mã đăng ký /CODE không hợp lệ: «$Code».$\r$\nMã gồm 12 ký tự, ví dụ K7QX-M2PD-9HTC."
LangString MsgBadCode ${LANG_ENGLISH} "The enrollment code /CODE is not valid: “$Code”.$\r$\nA code has 12 characters, e.g. K7QX-M2PD-9HTC."
LangString MsgBadCounter ${LANG_VIETNAMESE} "Số quầy /COUNTER không hợp lệ: «$Counter». Số quầy là một số từ 1 đến 9999."
LangString MsgBadCounter ${LANG_ENGLISH} "The counter number /COUNTER is not valid: “$Counter”. It is a number from 1 to 9999."
LangString MsgNeedServer ${LANG_VIETNAMESE} "/CODE và /COUNTER chỉ dùng được cùng với /SERVER."
LangString MsgNeedServer ${LANG_ENGLISH} "/CODE and /COUNTER can only be given together with /SERVER."
LangString MsgForeignDir ${LANG_VIETNAMESE} "Thư mục «$INSTDIR» đã có dữ liệu khác. Hãy chọn một thư mục trống hoặc thư mục đã cài ${PRODUCT}."
LangString MsgForeignDir ${LANG_ENGLISH} "The folder “$INSTDIR” already holds other files. Choose an empty folder or the one where ${PRODUCT} is installed."
LangString MsgRunning ${LANG_VIETNAMESE} "${PRODUCT} đang chạy. Hãy đóng chương trình rồi thử lại."
LangString MsgRunning ${LANG_ENGLISH} "${PRODUCT} is running. Close it and try again."
LangString MsgConfFailed ${LANG_VIETNAMESE} "Không ghi được tệp cấu hình $Scratch."
LangString MsgConfFailed ${LANG_ENGLISH} "Could not write the configuration file $Scratch."
LangString MsgBusy ${LANG_VIETNAMESE} "Một chương trình cài đặt hoặc gỡ bỏ ${PRODUCT} khác đang chạy. Hãy đợi nó xong rồi thử lại."
LangString MsgBusy ${LANG_ENGLISH} "Another ${PRODUCT} setup or uninstaller is running. Wait for it to finish and try again."

; ---------------------------------------------------------------------------------------------------------------
; Helpers shared by the installer and the uninstaller (NSIS wants an un. copy of every function the latter calls).

; Quit with an exit code after a message box; /SD IDOK: in silent mode there is no box, only the code.
!macro FAIL CODE MESSAGE
  MessageBox MB_ICONSTOP|MB_OK "${MESSAGE}" /SD IDOK
  SetErrorLevel ${CODE}
  Quit
!macroend

; One setup or uninstaller at a time. The mutex is never closed: Windows releases it when the process ends.
!macro SINGLE_INSTANCE
  System::Call 'kernel32::CreateMutexW(p 0, i 1, w "${SETUP_MUTEX}") p .r1 ?e'
  Pop $Scratch
  ${If} $Scratch == 183  ; ERROR_ALREADY_EXISTS
    !insertmacro FAIL 18 "$(MsgBusy)"
  ${EndIf}
!macroend

!macro REQUIRE_ADMIN
  UserInfo::GetAccountType
  Pop $Scratch
  ${If} $Scratch != "admin"
    !insertmacro FAIL 10 "$(MsgNotAdmin)"
  ${EndIf}
!macroend

; Deletes what a previous version put in $INSTDIR (the folder holds only the program; the data directories
; are elsewhere), except the uninstaller, which the caller handles. An upgrade must not leave the old
; version's DLLs beside the new ones. counterapp.exe goes first: Windows refuses to delete a running
; program, so a running app stops everything before anything is half-removed.
!macro DEFINE_REMOVE_PROGRAM UN
Function ${UN}RemoveProgram
  ${If} ${FileExists} "$INSTDIR\${APP_EXE}"
    ClearErrors
    Delete "$INSTDIR\${APP_EXE}"
    ${If} ${Errors}
      !insertmacro FAIL 16 "$(MsgRunning)"
    ${EndIf}
  ${EndIf}
  FindFirst $0 $1 "$INSTDIR\*"
  ${DoWhile} $1 != ""
    ${If} $1 != "."
    ${AndIf} $1 != ".."
    ${AndIf} $1 != "${UNINSTALLER}"
      ${If} ${FileExists} "$INSTDIR\$1\*"
        RMDir /r "$INSTDIR\$1"
      ${Else}
        Delete "$INSTDIR\$1"
      ${EndIf}
    ${EndIf}
    FindNext $0 $1
  ${Loop}
  FindClose $0
FunctionEnd
!macroend
!insertmacro DEFINE_REMOVE_PROGRAM ""
!insertmacro DEFINE_REMOVE_PROGRAM "un."

; ---------------------------------------------------------------------------------------------------------------
; Parameters. FileFunc's GetOptions ends a value at the next "/", which would cut /SERVER=https://x/ to
; "https:", so values are read here: from "/NAME=" (case-insensitive, at the start or after a space) up to the
; next " /" or the end, or between quotes when quoted.

; In: $0 the parameters, $1 the option with its "=" (e.g. "/SERVER="). Out: $2 the value, $3 = 1 when the
; option is there, 0 when absent (not the error flag: testing it clears it, so it cannot cross a call).
Function FindOption
  Push $4
  Push $5
  Push $6
  Push $7
  StrCpy $3 0
  StrLen $7 $1
  StrLen $4 $0
  StrCpy $5 0
  StrCpy $2 ""
  ${Do}
    ${IfThen} $5 >= $4 ${|} ${Break} ${|}
    StrCpy $6 $0 $7 $5
    ${If} $6 == $1
      IntOp $6 $5 - 1
      ${If} $5 == 0
        StrCpy $6 " "
      ${Else}
        StrCpy $6 $0 1 $6
      ${EndIf}
      ${If} $6 == " "
        IntOp $5 $5 + $7
        StrCpy $2 $0 "" $5
        StrCpy $3 1
        ${Break}
      ${EndIf}
    ${EndIf}
    IntOp $5 $5 + 1
  ${Loop}
  ${If} $3 == 1
    StrCpy $6 $2 1
    ${If} $6 == '"'
      ; Quoted: up to the closing quote.
      StrCpy $2 $2 "" 1
      StrCpy $5 0
      ${Do}
        StrCpy $6 $2 1 $5
        ${IfThen} $6 == "" ${|} ${Break} ${|}
        ${IfThen} $6 == '"' ${|} ${Break} ${|}
        IntOp $5 $5 + 1
      ${Loop}
      StrCpy $2 $2 $5
    ${Else}
      StrCpy $5 0
      ${Do}
        StrCpy $6 $2 2 $5
        ${IfThen} $6 == "" ${|} ${Break} ${|}
        ${IfThen} $6 == " /" ${|} ${Break} ${|}
        IntOp $5 $5 + 1
      ${Loop}
      StrCpy $2 $2 $5
      ; Trailing spaces before the end of the command line.
      ${Do}
        StrCpy $6 $2 1 -1
        ${IfThen} $6 != " " ${|} ${Break} ${|}
        StrCpy $2 $2 -1
      ${Loop}
    ${EndIf}
  ${EndIf}
  Pop $7
  Pop $6
  Pop $5
  Pop $4
FunctionEnd

; In: $0 a string, $1 the allowed characters. Out: $2 = 1 when every character of $0 is in $1, else 0.
; StrCmpS compares case-sensitively: NSIS's == ignores case through Windows' locale rules, which could let a
; non-ASCII look-alike through, and the file we write must stay ASCII (see WriteConfig).
Function OnlyChars
  Push $3
  Push $4
  Push $5
  Push $6
  StrCpy $2 1
  StrCpy $3 0
  ${Do}
    StrCpy $4 $0 1 $3
    ${IfThen} $4 == "" ${|} ${Break} ${|}
    StrCpy $5 0
    ${Do}
      StrCpy $6 $1 1 $5
      ${If} $6 == ""
        StrCpy $2 0
        ${Break}
      ${EndIf}
      StrCmpS $4 $6 0 +2
        ${Break}
      IntOp $5 $5 + 1
    ${Loop}
    ${IfThen} $2 == 0 ${|} ${Break} ${|}
    IntOp $3 $3 + 1
  ${Loop}
  Pop $6
  Pop $5
  Pop $4
  Pop $3
FunctionEnd

; The server address: http:// or https://, a host, only URL characters that are plain ASCII. No "%" (an INI
; reader with interpolation would choke on it), no spaces, quotes or user:password@.
Function ValidateServer
  StrLen $3 $Server
  ${If} $3 > 200
    !insertmacro FAIL 11 "$(MsgBadServer)"
  ${EndIf}
  StrCpy $0 $Server 8
  StrCpy $1 $Server 7
  ${If} $0 == "https://"
    StrCpy $0 $Server "" 8
  ${ElseIf} $1 == "http://"
    StrCpy $0 $Server "" 7
  ${Else}
    !insertmacro FAIL 11 "$(MsgBadServer)"
  ${EndIf}
  StrCpy $1 $0 1
  ${If} $1 == ""
  ${OrIf} $1 == "/"
  ${OrIf} $1 == ":"
    !insertmacro FAIL 11 "$(MsgBadServer)"
  ${EndIf}
  StrCpy $1 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~:/[]"
  Call OnlyChars
  ${If} $2 != 1
    !insertmacro FAIL 11 "$(MsgBadServer)"
  ${EndIf}
FunctionEnd

; The one-time code in its canonical form (K7QX-M2PD-9HTC): case, spaces and dashes forgiven as the app's
; normalise_enrollment_code does, 12 symbols of the server's alphabet (no 0/O, 1/I/L, U/V).
Function ValidateCode
  StrCpy $0 "23456789ABCDEFGHJKMNPQRSTVWXYZ"
  StrCpy $1 ""
  StrCpy $3 0
  ${Do}
    StrCpy $4 $Code 1 $3
    ${IfThen} $4 == "" ${|} ${Break} ${|}
    IntOp $3 $3 + 1
    ${If} $4 == "-"
    ${OrIf} $4 == " "
      ${Continue}
    ${EndIf}
    StrCpy $5 0
    ${Do}
      StrCpy $6 $0 1 $5
      ${If} $6 == ""
        !insertmacro FAIL 12 "$(MsgBadCode)"
      ${EndIf}
      ; Case-insensitive on purpose (k7qx is K7QX); what is kept is the alphabet's own upper-case letter.
      ${IfThen} $4 == $6 ${|} ${Break} ${|}
      IntOp $5 $5 + 1
    ${Loop}
    StrLen $7 $1
    ${If} $7 == 4
    ${OrIf} $7 == 9
      StrCpy $1 "$1-"
    ${EndIf}
    StrCpy $1 "$1$6"
  ${Loop}
  StrLen $7 $1
  ${If} $7 != 14
    !insertmacro FAIL 12 "$(MsgBadCode)"
  ${EndIf}
  StrCpy $Code $1
FunctionEnd

Function ValidateCounter
  StrLen $3 $Counter
  StrCpy $0 $Counter
  StrCpy $1 "0123456789"
  Call OnlyChars
  ${If} $2 != 1
  ${OrIf} $3 < 1
  ${OrIf} $3 > 4
    !insertmacro FAIL 13 "$(MsgBadCounter)"
  ${EndIf}
  IntOp $Counter $Counter + 0  ; "05" is counter 5
  ${If} $Counter < 1
    !insertmacro FAIL 13 "$(MsgBadCounter)"
  ${EndIf}
FunctionEnd

; The target folder must be empty, absent, or a counterapp installation: the upgrade and the uninstaller
; delete everything in it, which must never hit a folder someone chose by mistake (/D=C:\Program Files).
Function CheckTargetFolder
  ${If} ${FileExists} "$INSTDIR\${APP_EXE}"
  ${OrIf} ${FileExists} "$INSTDIR\${UNINSTALLER}"
    Return
  ${EndIf}
  FindFirst $0 $1 "$INSTDIR\*"
  ${DoWhile} $1 != ""
    ${If} $1 != "."
    ${AndIf} $1 != ".."
      FindClose $0
      StrCpy $2 1
      Return
    ${EndIf}
    FindNext $0 $1
  ${Loop}
  FindClose $0
  StrCpy $2 0
FunctionEnd

Function DirectoryLeave
  StrCpy $2 0
  Call CheckTargetFolder
  ${If} $2 == 1
    MessageBox MB_ICONEXCLAMATION|MB_OK "$(MsgForeignDir)"
    Abort  ; stays on the directory page
  ${EndIf}
FunctionEnd

Function .onInit
  SetShellVarContext all
  !insertmacro REQUIRE_ADMIN
  !insertmacro SINGLE_INSTANCE
  ${GetParameters} $0
  StrCpy $HasServer 0
  StrCpy $HasCode 0
  StrCpy $HasCounter 0
  StrCpy $1 "/SERVER="
  Call FindOption
  StrCpy $Server $2
  StrCpy $HasServer $3
  StrCpy $1 "/CODE="
  Call FindOption
  StrCpy $Code $2
  StrCpy $HasCode $3
  StrCpy $1 "/COUNTER="
  Call FindOption
  StrCpy $Counter $2
  StrCpy $HasCounter $3
  ${If} $HasServer == 1
    Call ValidateServer
  ${EndIf}
  ${If} $HasCode == 1
    Call ValidateCode
  ${EndIf}
  ${If} $HasCounter == 1
    Call ValidateCounter
  ${EndIf}
  ${If} $HasServer == 0
    ${If} $HasCode == 1
    ${OrIf} $HasCounter == 1
      !insertmacro FAIL 14 "$(MsgNeedServer)"
    ${EndIf}
  ${EndIf}
  ${If} ${Silent}
    StrCpy $2 0
    Call CheckTargetFolder
    ${If} $2 == 1
      !insertmacro FAIL 15 "$(MsgForeignDir)"
    ${EndIf}
  ${EndIf}
FunctionEnd

; %ProgramData%\counterapp\counter.conf, UTF-8 without a byte-order mark. WriteINIStr would write through
; the Windows profile API (ANSI or UTF-16, never UTF-8), and FileWrite converts to the ANSI code page, so
; the values are validated to be plain ASCII above: ASCII written by FileWrite is byte-for-byte UTF-8. Written
; to a .new file and renamed, so the app never reads half a file. CRLF line ends: Notepad on older Windows.
Function WriteConfig
  StrCpy $Scratch "$APPDATA\${PRODUCT}\${CONF_NAME}"
  ClearErrors
  FileOpen $0 "$Scratch.new" w
  ${If} ${Errors}
    !insertmacro FAIL 17 "$(MsgConfFailed)"
  ${EndIf}
  FileWrite $0 "# Written by the ${PRODUCT} ${VERSION} installer; read at the first start to enroll this PC.$\r$\n"
  FileWrite $0 "[enroll]$\r$\n"
  FileWrite $0 "server = $Server$\r$\n"
  ${If} $HasCode == 1
    FileWrite $0 "code = $Code$\r$\n"
  ${EndIf}
  ${If} $HasCounter == 1
    FileWrite $0 "counter = $Counter$\r$\n"
  ${EndIf}
  FileClose $0
  Delete "$Scratch"
  Rename "$Scratch.new" "$Scratch"
  ${If} ${Errors}
    !insertmacro FAIL 17 "$(MsgConfFailed)"
  ${EndIf}
  DetailPrint "${CONF_NAME}: server $Server"
FunctionEnd

Section "counterapp" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ${If} ${FileExists} "$INSTDIR\${APP_EXE}"
    DetailPrint "Upgrade: removing the previous version from $INSTDIR"
  ${EndIf}
  Call RemoveProgram
  File /r "${PAYLOAD}\*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortCut "$SMPROGRAMS\${SHORTCUT}.lnk" "$INSTDIR\${APP_EXE}" "${APP_ARGS}" "$INSTDIR\${APP_EXE}" 0

  ; The machine-wide config folder: administrators and SYSTEM write, users only read. By default a new
  ; folder under ProgramData lets any user create files in it, so a clerk (or malware running as one) could
  ; plant a counter.conf pointing the first start at another server. Well-known SIDs, not group names,
  ; which are translated on a Vietnamese Windows.
  CreateDirectory "$APPDATA\${PRODUCT}"
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$APPDATA\${PRODUCT}" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /T /C /Q'
  Pop $0
  DetailPrint "icacls $APPDATA\${PRODUCT}: $0"
  ; New parameters replace the whole file (a new /SERVER with an old server's code would be wrong); without
  ; parameters an upgrade leaves the existing file alone.
  ${If} $HasServer == 1
    Call WriteConfig
  ${EndIf}

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT} — ${SHORTCUT}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

; ---------------------------------------------------------------------------------------------------------------
; The uninstaller.

Function un.onInit
  SetShellVarContext all
  !insertmacro REQUIRE_ADMIN
  !insertmacro SINGLE_INSTANCE
  ${GetParameters} $0
  ClearErrors
  ${un.GetOptions} $0 "/PURGE" $1
  ${If} ${Errors}
    StrCpy $Purge 0
  ${Else}
    StrCpy $Purge 1
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  ; Everything in the folder goes only when it is ours: the uninstaller registered for it or beside our exe.
  ReadRegStr $0 HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $0 == "$INSTDIR"
  ${OrIf} ${FileExists} "$INSTDIR\${APP_EXE}"
    Call un.RemoveProgram
  ${EndIf}
  Delete "$SMPROGRAMS\${SHORTCUT}.lnk"
  ; Run with _?= (as tests and ExecWait do) the uninstaller is running from here and cannot delete itself.
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
  ; Each user's data directory (AppData) is never touched: it may hold work not yet sent to the server.
  ${If} $Purge == 1
    Delete "$APPDATA\${PRODUCT}\${CONF_NAME}"
    Delete "$APPDATA\${PRODUCT}\${CONF_NAME}.new"
    RMDir "$APPDATA\${PRODUCT}"
  ${Else}
    DetailPrint "Kept $APPDATA\${PRODUCT}\${CONF_NAME} (uninstall.exe /PURGE removes it)"
  ${EndIf}
SectionEnd
