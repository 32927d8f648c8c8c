"""The warm LibreOffice converter: run by Debian's python3 (which has `uno`), it starts one
headless soffice, then converts documents on request, one JSON line in, one out, over
stdin/stdout, so each conversion costs a load and a store instead of an office start.

Documents are loaded hidden, read-only, with macros never executed and links never
updated (nothing is fetched). soffice.bin dies with this process and this process with
its parent (PR_SET_PDEATHSIG), so a killed sandbox worker leaves no office behind. That is
why soffice.bin is started itself, not through the `soffice` script: the script's
`oosplash` forks soffice.bin, and a fork does not inherit the death signal (every killed
converter left a ~150 MiB office running).

This file imports nothing from Satchel: it runs outside the project's environment.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

SOFFICE = "/usr/lib/libreoffice/program/soffice.bin"
RESTART = 81  # soffice.bin asks to be started again (oosplash would); a new profile may
STARTS = 3
NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode.NO_UPDATE


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _prop(name: str, value: object) -> object:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _environment() -> dict[str, str]:
    """What the `soffice` script sets before it starts soffice.bin."""
    env = dict(os.environ)
    env["LO_SAVE_LC_ALL"] = env.get("LC_ALL", "")  # soffice.bin puts it back
    env["LC_ALL"] = "C"
    env["SAL_ENABLE_FILE_LOCKING"] = "1"
    return env


class Office:
    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="satchel-office-")
        self.pipe = f"satchel{os.getpid()}"
        for _ in range(STARTS):
            self.proc = self._start()
            desktop = self._connect()
            if desktop is not None:
                self.desktop = desktop
                return
        raise RuntimeError("LibreOffice did not start")

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603
            [
                SOFFICE,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"-env:UserInstallation=file://{self.profile}",
                f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_environment(),
            preexec_fn=_die_with_parent,
        )

    def _connect(self) -> object | None:
        """The office's desktop; None when soffice.bin asked to be started again."""
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + 60
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() == RESTART:
                    return None
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.1)
        desktop: object = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx
        )
        return desktop

    def convert(self, src: str, dst: str, filter_name: str, options: str) -> dict[str, object]:
        load = (
            _prop("Hidden", True),
            _prop("ReadOnly", True),
            _prop("MacroExecutionMode", NEVER_EXECUTE),
            _prop("UpdateDocMode", NO_UPDATE),
            _prop("RepairPackage", False),
        )
        doc = self.desktop.loadComponentFromURL(  # type: ignore[attr-defined]
            uno.systemPathToFileUrl(src), "_blank", 0, load
        )
        if doc is None:
            return {"ok": False, "error": "LibreOffice could not open the document"}
        try:
            store = [_prop("FilterName", filter_name), _prop("Overwrite", True)]
            if options:
                store.append(_prop("FilterOptions", options))
            doc.storeToURL(uno.systemPathToFileUrl(dst), tuple(store))
            facts: dict[str, object] = {"ok": True}
            with contextlib.suppress(Exception):  # only Writer counts pages this way
                facts["pages"] = doc.getCurrentController().getPropertyValue("PageCount")
            return facts
        finally:
            doc.close(True)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the process is killed below anyway
            self.desktop.terminate()  # type: ignore[attr-defined]
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main() -> None:
    _die_with_parent()
    office = Office()
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                reply = office.convert(
                    request["src"], request["dst"], request["filter"], request.get("options", "")
                )
            except Exception as exc:  # a UNO error: the document, not the bridge, failed
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
    finally:
        office.close()


if __name__ == "__main__":
    main()
