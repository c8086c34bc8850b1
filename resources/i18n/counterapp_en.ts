<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../counterapp/gui/about.py" line="0"/>
        <source>%1 (this version: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="0"/>
        <source>%n change(s) to send</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="0"/>
        <source>About counterapp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Create support bundle…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Data directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Data schema</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Operating system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Python</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>SQLite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>counterapp %1 — one-stop counter software</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>not enrolled (standalone)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ApplicantForm</name>
    <message>
        <location filename="../../counterapp/gui/applicant_form.py" line="+215"/>
        <source>CCCD / &amp;ID number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date of &amp;birth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Se&amp;x</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;E-mail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Owner&apos;s name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Owner&apos;s ID number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Owner&apos;s address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Postal address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Click here, then scan the card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Send the result by post</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Empty: the applicant&apos;s address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-12"/>
        <source>Scan CCC&amp;D QR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Full name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Dossier owner differs from the applicant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Male</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Female</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CallSpecificDialog</name>
    <message>
        <location filename="../../counterapp/gui/queue_dialogs.py" line="+124"/>
        <source>Call a ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. A012</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CounterApp</name>
    <message>
        <location filename="../../counterapp/gui/app.py" line="+103"/>
        <source>Counter %1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/app.py" line="0"/>
        <source>This data directory was written by a newer counterapp (schema %1); install that version again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>This data directory was written by a newer counterapp (schema %1); install version %2 or later.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location line="-37"/>
        <source>Unexpected error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong in counterapp. Your saved work is safe; the error was written to the log. If it happens again, call IT.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DocumentChecklist</name>
    <message>
        <location filename="../../counterapp/gui/checklist.py" line="+88"/>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Originals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Certified copies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Photocopies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose a procedure to see its documents.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DossierDetail</name>
    <message>
        <location filename="../../counterapp/gui/dossier_detail.py" line="+99"/>
        <source>Procedure:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dossier owner:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Select a dossier to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Originals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Certified copies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Photocopies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Status history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>By</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 — overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(personal data removed after the retention period)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DossierSearchModel</name>
    <message>
        <location filename="../../counterapp/gui/dossier_models.py" line="+135"/>
        <source>Past the due date and not yet finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Procedure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-21"/>
        <source>overdue</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DossierTexts</name>
    <message>
        <location line="-97"/>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Processing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Awaiting supplement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Withdrawn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No dossier with this code on this counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The result of this dossier has already been handed over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This cannot be done in the dossier&apos;s current status.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the name of the person collecting the result.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The name is too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The name may contain only letters, spaces and simple punctuation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This is not a valid dossier code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date in this dossier code is not valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number in this dossier code is not valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>The search could not be run. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This counter has not been set up yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The request was refused (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong; the details were written to the log.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DossiersPanel</name>
    <message>
        <location filename="../../counterapp/gui/dossiers_panel.py" line="+143"/>
        <source>&amp;Find:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dossier code, ID number, phone, or name (accents optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return &amp;result…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Void…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received by mistake today: withdraw this dossier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dossiers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Day&apos;s register</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+56"/>
        <source>%n dossier(s) found</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+136"/>
        <source>Result of dossier %1 returned.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>First %n shown; refine the search</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EnrollTexts</name>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="15"/>
        <source>Type the server&apos;s full address, starting with http:// or https://, for example https://hcc.example or http://192.168.1.10:8765.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="17"/>
        <source>The server&apos;s name is not known on this network (DNS). Check the address, or type the server&apos;s IP address instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="19"/>
        <source>The server&apos;s computer answered, but nothing listens on that port. Check the port in the address and that the counterapp server is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="22"/>
        <source>There is no route to the server. Check the network cable or Wi-Fi, the VPN, and that this PC is on the centre&apos;s network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="24"/>
        <source>The server did not answer in time. A firewall may block the port, or the server is overloaded. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="26"/>
        <source>The secure connection failed: this PC does not trust the server&apos;s certificate, or it does not match the address (or the address says https:// for a server without TLS). Install the centre&apos;s certificate on this PC, or check the address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="30"/>
        <source>The connection to the server failed. Check the address and the network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="32"/>
        <source>Something answers at this address, but it is not the counterapp server. Check the port and the path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="34"/>
        <source>The server answers, but its database does not. Ask the server&apos;s administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="36"/>
        <source>This code is wrong. Check it against the code the administrator gave (letters and digits, like K7QX-M2PD-9HTC).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="39"/>
        <source>This code has expired. Ask the administrator for a new code for this counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="41"/>
        <source>This code was already used: a code enrolls one PC, once. Ask the administrator for a new code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="43"/>
        <source>Too many wrong codes from this PC. Try again in %1 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="45"/>
        <source>The counter this code was made for has been removed on the server. Ask the administrator for a new code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="47"/>
        <source>This code is for a display screen or a kiosk, not a counter. Ask the administrator for a counter&apos;s code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="49"/>
        <source>This PC&apos;s data directory is enrolled already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="50"/>
        <source>The data on this PC belong to another centre. Call IT before enrolling it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="55"/>
        <source>The server is older than this app and cannot sync with it. Update the server; until then this counter works offline.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="58"/>
        <source>The server is newer than this app and cannot sync with it. Install the app&apos;s new version on this PC; until then this counter works offline.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="61"/>
        <source>The server did not answer after the enrollment; the first sync will check the connection again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="63"/>
        <source>The installer&apos;s settings name counter %1, but the code made this PC counter %2. Check with the administrator which one is right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="73"/>
        <source>The enrollment failed (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="90"/>
        <source>The installer’s settings file %1 has a wrong value for “%2”. Type the values here, and ask IT to fix the file.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EnrollWizard</name>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="226"/>
        <source>First start — counterapp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="229"/>
        <source>Connect this counter to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="229"/>
        <source>This PC is enrolled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="230"/>
        <source>Printers of this counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="235"/>
        <source>Enrolling with the server and code from the installer&apos;s settings (%1)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="242"/>
        <source>This PC is not connected to the centre&apos;s server yet. Type the server&apos;s address and the one-time code the administrator created for this counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="246"/>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="247"/>
        <source>One-time code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="248"/>
        <source>Testing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="248"/>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="249"/>
        <source>Centre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="250"/>
        <source>Counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="251"/>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="252"/>
        <source>Next: choose the printers and print a test page on each.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="255"/>
        <source>Choose where receipts and queue tickets are printed, and print a test page on each. They can be changed later with “counterapp printer”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="260"/>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="261"/>
        <source>&lt; Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="264"/>
        <source>Enrolling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="264"/>
        <source>Enroll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="266"/>
        <source>Next &gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="268"/>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="268"/>
        <source>Finish and sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="331"/>
        <source>The server answers. Type the one-time code and press “Enroll”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="342"/>
        <source>Type the one-time code the administrator gave for this counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="367"/>
        <source>This PC is now counter %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="420"/>
        <source>The printers were not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HeldList</name>
    <message numerus="yes">
        <location filename="../../counterapp/gui/held_list.py" line="+53"/>
        <location line="+9"/>
        <source>On hold: %n</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Call back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call the selected held ticket back to the counter (double-click, Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+26"/>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HelpMenu</name>
    <message>
        <location filename="../../counterapp/gui/about.py" line="0"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>About counterapp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Create support bundle…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IntakeErrors</name>
    <message>
        <location filename="../../counterapp/gui/applicant_form.py" line="-200"/>
        <source>Enter the full name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The name is too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A name may only contain letters, spaces, &apos; - and .</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the 12-digit ID number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number may only contain digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number must have 12 digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The first three digits are not a known province code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The 4th digit (sex and century) is not possible.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number does not match the year of birth.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number does not match the sex.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An old ID card number has 9 digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the date as dd/mm/yyyy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date of birth is in the future.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date of birth is before 1900.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The address is too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a phone number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The phone number may only contain digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not a Vietnamese phone number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The phone number has the wrong number of digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No network uses this prefix.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only Vietnamese numbers are accepted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not an e-mail address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number of sets must be from 1 to 99.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This procedure does not return results by post.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The note is too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This document is required.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Counts must be from 0 to 99.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a procedure.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This procedure is not in the catalogue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This procedure is not in force today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reason is too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tick at least one document.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The scanned code is not a CCCD QR code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This computer&apos;s clock is wrong: fix the date and time, then sync.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No dossier numbers for today: connect to the server to get some.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The dossier numbers held are for another day: connect to the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Today&apos;s dossier numbers are used up: connect to the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer did not take the job; it stays queued.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The queue ticket is not known at this counter today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server no longer accepts this computer: nothing was saved. Call IT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your account may not take in dossiers: nothing was saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Invalid value ({code}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not done: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unexpected error: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IntakePanel</name>
    <message>
        <location filename="../../counterapp/gui/intake_panel.py" line="+180"/>
        <source>Procedure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save and print receipt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Reprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Pre&amp;view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the receipt as a PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Supplement (form 02)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask for missing documents: form 02, printed for the applicant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse (form 03)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse the dossier with a reason: form 03</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Void…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received by mistake (e.g. the wrong procedure): withdraw this dossier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Received at: –</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointment: –</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Received at: {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointment: {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>No queue ticket: the dossier is taken without one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ticket {number}: this dossier is linked to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket {number}: the dossier will be linked to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Dossier {code} received.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server did not answer in time: the code is from this counter&apos;s offline range.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Check the highlighted fields.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+59"/>
        <source>New form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This form has not been saved. Start a new one and discard what was typed?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discard and start a new form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep this form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Recorded, but not queued for printing: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The PDF is saved in {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Printed on {printer}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not printed on {printer} (the job stays queued): {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Preview: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Preview receipt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No program on this computer opens PDF files. The receipt is saved here:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Supplement request recorded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refusal recorded.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LeaveDialog</name>
    <message>
        <location filename="../../counterapp/gui/leave_guard.py" line="+57"/>
        <source>Close the counter window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket {number} is still at the counter. The next clerk would find it as theirs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n change(s) have not reached the server yet. They are kept on this computer and sent as soon as it is connected: do not reinstall or wipe it until then.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign out anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Finish {number} and leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hold {number} and leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stay</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LockDialog</name>
    <message>
        <location filename="../../counterapp/gui/lock.py" line="+154"/>
        <source>Counter locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The counter is locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed in: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ticket {number} is still at the counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter your password to continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlocking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../counterapp/gui/login.py" line="+38"/>
        <source>Enter your username.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong username or password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This account is deactivated. Ask the centre&apos;s administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This account belongs to another centre.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server cannot be reached, and this user has not signed in on this counter before. Sign in once while connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The server cannot be reached, and the offline sign-in has expired.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server refused this computer. Call IT to enrol it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Too many wrong passwords. Try again in %1 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sign-in failed (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+83"/>
        <source>Sign in — counterapp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in to the counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../counterapp/gui/mainwindow.py" line="+61"/>
        <source>Counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Intake</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dossiers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+177"/>
        <source>counterapp — one-stop counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(signed in offline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>“%1” is not available in this version yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lock now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sync now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Re-enroll this PC…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Undo no-show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Go to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>New intake form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save intake and print receipt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Find a dossier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The counter is locked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+148"/>
        <source>Syncing now…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PauseDialog</name>
    <message>
        <location filename="../../counterapp/gui/queue_dialogs.py" line="+11"/>
        <source>Write a reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reason is too long: at most 200 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The reason holds a character that cannot be sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No phone or ID numbers here: the shift lead&apos;s board shows the reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Pause the counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Break</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Meeting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Processing dossiers</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PrinterChooser</name>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="40"/>
        <source>No printer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="41"/>
        <source>PDF files in a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="42"/>
        <source>Thermal printer on the network (port 9100)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="43"/>
        <source>Thermal printer installed in Windows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="44"/>
        <source>Thermal printer installed in CUPS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="45"/>
        <source>Office printer (PDF through the system)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="46"/>
        <source>Thermal printer on USB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="47"/>
        <source>Thermal printer on a serial port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="48"/>
        <source>Thermal printer device file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="140"/>
        <source>Receipt printer (form 01 and the other forms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="142"/>
        <source>Ticket printer (queue slips)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="146"/>
        <source>Printer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="148"/>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="149"/>
        <source>Address (IP)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="150"/>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="151"/>
        <source>System printer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="152"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="153"/>
        <source>USB vendor id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="154"/>
        <source>USB product id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="155"/>
        <source>Paper roll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="156"/>
        <source>Paper size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="160"/>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="161"/>
        <source>Printing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="161"/>
        <source>Print a test page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="187"/>
        <source>Folder for the PDF files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="225"/>
        <source>Missing or not valid: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="263"/>
        <source>The test page was sent. Check that it came out of the printer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="265"/>
        <source>The test page was saved as %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="271"/>
        <source>The printer did not print: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProcedurePicker</name>
    <message>
        <location filename="../../counterapp/gui/procedure_picker.py" line="+55"/>
        <source>Type a procedure code or name (no accents needed)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../counterapp/gui/queue_panel.py" line="+207"/>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo no-show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At the counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline: Call next takes only tickets dealt to this counter and walk-ins.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+134"/>
        <source>Paused: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+148"/>
        <source>Counter paused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Ticket {number} called again ({count}×).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/queue_models.py" line="+218"/>
        <location filename="../../counterapp/gui/queue_panel.py" line="-178"/>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../../counterapp/gui/queue_panel.py" line="+5"/>
        <source>Waiting: %n ticket(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Ticket {number} was marked as a no-show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+142"/>
        <source>Counter resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Ticket {number}: {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/queue_models.py" line="-74"/>
        <source>Call next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recall</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+74"/>
        <source>No-show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-73"/>
        <source>Hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transfer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call number…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pause…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No one is waiting for your services right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other counters were calling at the same moment. Please try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>There is no such ticket today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>That is not a ticket number. Type it as printed, e.g. A012.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+10"/>
        <source>This step is not possible for the ticket as it is now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-7"/>
        <source>The ticket was recalled too often. Mark it as no-show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a different service to transfer to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>This ticket is being served at another counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another counter has already called this ticket.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This ticket belongs to another counter&apos;s list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This counter does not serve that service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This counter is not set up yet. Ask the administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This counter has no ticket numbers for today. Connect to sync.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The shift lead has closed this counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The no-show can no longer be undone: call the ticket by its number (F9).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This counter has used all its ticket numbers. Connect to sync.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No ticket at the counter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The step was refused ({code}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong and the step was not done. Details are in the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Ticket {number}: another counter called it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number}: it was in another counter&apos;s list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number}: the server had it at another counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number}: this counter does not serve its service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{number}: the server did not accept a step ({code}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Called, waiting for the citizen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serving</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>On hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+27"/>
        <source>The counter is paused: press F12 to resume first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No ticket at the counter: press F2 to call the next one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number} is still at the counter: finish it (F5), mark a no-show (F6) or hold it (F7) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket {number} has not been started: press F4 when the citizen sits down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{step} is not possible for ticket {number} now ({state}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+33"/>
        <source>called again (%1×)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Waited %1 min before the call</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReenrollDialog</name>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="108"/>
        <source>Re-enroll this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="110"/>
        <source>Use this when this PC replaces another counter&apos;s PC or moves to another counter. Ask the administrator for a new device code (counterapp-server admin create-device --kind counter --counter N). The unsent work is sent first, or exported to a file; nothing on this PC is deleted: the current data stay in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="115"/>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="115"/>
        <source>Send unsent work now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="116"/>
        <source>Export unsent work to a file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="117"/>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="118"/>
        <source>New one-time code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="119"/>
        <source>Enrolling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="119"/>
        <source>Re-enroll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="137"/>
        <source>Sending the unsent work to the server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="139"/>
        <source>Counting the unsent work…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="141"/>
        <source>All the work of this counter is on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="143"/>
        <source>%1 unsent changes were exported to %2. Import that file on the server (counterapp-server import) before removing this PC&apos;s old data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="147"/>
        <source>%1 changes could not be sent to the server. Export them to a file; it will be imported on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="150"/>
        <source>%1 changes are not on the server yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="215"/>
        <source>Export unsent work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="216"/>
        <source>counterapp export (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="241"/>
        <source>The export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="252"/>
        <source>Type the new one-time code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="273"/>
        <source>%1 changes are neither sent nor exported.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RefusalDialog</name>
    <message>
        <location filename="../../counterapp/gui/intake_dialogs.py" line="+142"/>
        <source>Refuse the dossier (form 03)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Procedure: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reason for refusal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Legal basis</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RegisterModel</name>
    <message>
        <location filename="../../counterapp/gui/dossier_models.py" line="+129"/>
        <source>No.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant / owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Procedure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RegisterView</name>
    <message>
        <location filename="../../counterapp/gui/register_view.py" line="+96"/>
        <source>&amp;Date:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Print register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The day&apos;s register on A4 landscape, opened as a PDF to print</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;xport to Excel…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+43"/>
        <source>The register could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>%n dossier(s) received on %1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The register is saved as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No program on this computer opens PDF files. The register is saved here:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export the register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The register is exported to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The register could not be written: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Day&apos;s register</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../counterapp/gui/return_dialog.py" line="+58"/>
        <location line="+5"/>
        <source>Return result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Hand over the result of dossier %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collected by:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. collected on behalf, with a letter of authorisation</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../counterapp/gui/statusbar.py" line="+170"/>
        <source>Lost connection to the server — keep working as usual, data will sync later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Last sync: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Not synced yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-164"/>
        <source>the printer does not answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the PDF folder cannot be written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>this connection is not supported here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>wrong printer for this document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+113"/>
        <source>Printer %1: not printed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Printer %1: ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Offline, retrying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+R: try now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Synced %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Numbers left for offline work:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Sync stopped (%1): call IT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing to send</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n change(s) to send</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(oldest %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Left: %1 codes · %2 tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This computer&apos;s clock is %1 s off the server&apos;s: dossier codes and receipts are blocked until the clock is corrected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/statusbar.py" line="0"/>
        <source>The counter software is newer than the server — keep working as usual, call IT to update the server; data will sync after the update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>The server needs a newer version of the counter software — keep working as usual, call IT to update this computer; data will sync after the update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Update needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Keys in a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No OS keystore runs on this PC: the key of the local data and this counter&apos;s credential are kept in files of its data directory, readable by this account only. Tell IT.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SupplementDialog</name>
    <message>
        <location filename="../../counterapp/gui/intake_dialogs.py" line="-42"/>
        <source>Request a supplement (form 02)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tick every document the applicant must bring or complete:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reason / guidance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Tick at least one document.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SupportBundler</name>
    <message>
        <location filename="../../counterapp/gui/about.py" line="0"/>
        <source>Save the support bundle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Support bundle saved: %1 — send this file to IT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>The support bundle could not be written: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="0"/>
        <source>Zip files (*.zip)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TicketStrip</name>
    <message>
        <location filename="../../counterapp/gui/ticket_strip.py" line="+43"/>
        <source>The counter is paused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F12 resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>No ticket at the counter · %n waiting</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F2 call next · Ctrl+1 queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>At the counter: {number} · {service} · {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>F5 finish · F7 hold · F8 transfer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>F4 start · F3 recall · F6 no-show</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../counterapp/gui/queue_dialogs.py" line="-96"/>
        <source>Transfer ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move the ticket to this service (it keeps its number):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason (optional, no personal data):</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <location filename="../../counterapp/gui/void_dossier.py" line="+30"/>
        <source>Write why the dossier is voided.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reason is too long: at most 500 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This dossier is already withdrawn.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only a dossier still waiting to be processed can be voided here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only a dossier received today can be voided here; ask the back office.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only the counter that received the dossier can void it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>There is no such dossier on this counter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The dossier was not voided ({code}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Void a dossier received by mistake</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dossier {code} will be withdrawn. Its code is never given again and the register keeps the line as withdrawn. Take the dossier in again under the right procedure.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. wrong procedure chosen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Void the dossier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Dossier {code} is voided (withdrawn); its code is not reused.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WaitingTicketsModel</name>
    <message>
        <location filename="../../counterapp/gui/queue_models.py" line="-193"/>
        <source>Number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Priority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Waited (min)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_ReasonDialog</name>
    <message>
        <location filename="../../counterapp/gui/intake_dialogs.py" line="-47"/>
        <source>Enter the reason.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
