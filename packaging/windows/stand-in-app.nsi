; A stand-in for the frozen counterapp.exe, so that test-wine.sh can build and run the installer on Linux
; without a Windows build of the app (PyInstaller cannot cross-compile). It is a real 64-bit Windows program,
; made with the same makensis: it shows nothing and exits 0 when the bundle's resources are beside it (the
; way `counterapp.exe --selftest` fails when the bundle is incomplete), 3 otherwise. Not shipped.
;   makensis /DOUTFILE=/tmp/payload/counterapp.exe stand-in-app.nsi
Unicode true
Target amd64-unicode
SilentInstall silent
RequestExecutionLevel user
!ifndef OUTFILE
  !error "makensis /DOUTFILE=path/counterapp.exe stand-in-app.nsi"
!endif
OutFile "${OUTFILE}"
Name "counterapp stand-in"
!include LogicLib.nsh

!include FileFunc.nsh

Section
  ; `counterapp.exe --hold-setup-mutex` (tests only): takes the installer's mutex as a running setup would,
  ; says so with the file mutex-held, and keeps it while the file hold exists.
  ${GetParameters} $0
  ${If} $0 == "--hold-setup-mutex"
    System::Call 'kernel32::CreateMutexW(p 0, i 1, w "Global\counterapp-setup") p .r1'
    FileOpen $2 "$EXEDIR\mutex-held" w
    FileClose $2
    ${DoWhile} ${FileExists} "$EXEDIR\hold"
      Sleep 100
    ${Loop}
    Return
  ${EndIf}
  ${If} ${FileExists} "$EXEDIR\_internal\resources\i18n\counterapp_vi.qm"
    SetErrorLevel 0
  ${Else}
    SetErrorLevel 3
  ${EndIf}
SectionEnd
