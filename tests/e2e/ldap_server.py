"""A real OpenLDAP directory for the LDAP end-to-end tests: Debian's /usr/sbin/slapd with a
generated slapd.conf in a temp dir, listening on a free loopback port (plain LDAP, plus LDAPS with
a throwaway self-signed certificate). The mdb database is filled with slapadd from
ldap_fixture.ldif before start; the groups (ldap_groups.ldif) are added with ldapadd afterwards so
that the memberof overlay maintains each member's memberOf.

Runs as root or not, without a terminal; needs the slapd, ldap-utils and openssl packages
(scripts/setup.sh). The slapd package's own service is never used.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from e2e_lib import free_port

HERE = Path(__file__).resolve().parent
SUFFIX = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "RootSecret1"
READER_DN = f"cn=reader,ou=service,{SUFFIX}"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
PASSWORDS = {"reader": "ReaderSecret1", "alice": "AlicePass1", "bob": "BobPass1", "carol": "CarolPass1",
             "dave": "DavePass1", "printer": "PrinterPass1"}
SLAPD = "/usr/sbin/slapd"
MODULES = Path("/usr/lib/ldap")


def user_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def group_dn(cn: str) -> str:
    return f"cn={cn},{GROUPS}"


class Slapd:
    def __init__(self, workdir: Path):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.tls_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.dir / "slapd.log"
        self.memberof = (MODULES / "memberof.so").exists() or (MODULES / "memberof.la").exists()

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    # -- setup
    def _hash(self, password: str) -> str:
        out = subprocess.run(["/usr/sbin/slappasswd", "-h", "{SSHA}", "-s", password], capture_output=True, check=True,
                             stdin=subprocess.DEVNULL)
        return out.stdout.decode().strip()

    def _certificate(self) -> None:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-keyout", str(self.dir / "key.pem"),
                        "-out", str(self.dir / "cert.pem")],
                       capture_output=True, check=True, stdin=subprocess.DEVNULL)

    def _config(self) -> Path:
        data = self.dir / "data"
        data.mkdir(exist_ok=True)
        overlay = ""
        modules = ""
        if (MODULES / "back_mdb.so").exists() or (MODULES / "back_mdb.la").exists():
            modules += "moduleload back_mdb\n"
        if self.memberof:
            modules += "moduleload memberof\n"
            overlay = ("overlay memberof\n"
                       "memberof-group-oc groupOfNames\n"
                       "memberof-member-ad member\n"
                       "memberof-memberof-ad memberOf\n"
                       "memberof-refint TRUE\n")
        conf = self.dir / "slapd.conf"
        conf.write_text(f"""
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath {MODULES}
{modules}
pidfile {self.dir}/slapd.pid
argsfile {self.dir}/slapd.args
TLSCertificateFile {self.dir}/cert.pem
TLSCertificateKeyFile {self.dir}/key.pem

database mdb
maxsize 67108864
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {self._hash(ROOT_PW)}
directory {data}
{overlay}
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by users read
  by * none
""")
        return conf

    def _ldif(self) -> Path:
        text = (HERE / "ldap_fixture.ldif").read_text()
        for name, pw in PASSWORDS.items():
            text = text.replace(f"@PW:{name}@", self._hash(pw))
        path = self.dir / "fixture.ldif"
        path.write_text(text)
        return path

    def start(self) -> "Slapd":
        self._certificate()
        conf = self._config()
        subprocess.run(["/usr/sbin/slaptest", "-u", "-f", str(conf)], capture_output=True, check=True,
                       stdin=subprocess.DEVNULL)
        add = subprocess.run(["/usr/sbin/slapadd", "-f", str(conf), "-l", str(self._ldif())], capture_output=True,
                             stdin=subprocess.DEVNULL)
        assert add.returncode == 0, add.stderr.decode()
        log = open(self.log_path, "ab")
        # -d 0: stay in the foreground (no fork), log nothing extra.
        self.proc = subprocess.Popen([SLAPD, "-d", "0", "-f", str(conf), "-h", f"{self.url}/ {self.ldaps_url}/"],
                                     stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        self._wait_ready()
        self.modify("ldapadd", (HERE / "ldap_groups.ldif").read_text())
        return self

    def _wait_ready(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"slapd exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                r = self.search(SUFFIX, "(objectClass=*)", scope="base", check=False)
                if r.returncode == 0:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("slapd did not come up:\n" + self.log_text())

    # -- operations (as the directory's root)
    def modify(self, tool: str, ldif: str, check: bool = True) -> subprocess.CompletedProcess:
        """ldapadd / ldapmodify / ldapdelete with `ldif` on stdin, bound as the root DN."""
        p = subprocess.run([tool, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PW],
                           input=ldif.encode(), capture_output=True, timeout=30)
        if check:
            assert p.returncode == 0, f"{tool} failed: {p.stderr.decode()}"
        return p

    def delete(self, dn: str) -> None:
        self.modify("ldapdelete", dn + "\n")

    def search(self, base: str, flt: str, *attrs: str, scope: str = "sub",
               check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run(["ldapsearch", "-x", "-LLL", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PW,
                            "-b", base, "-s", scope, flt, *attrs], capture_output=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        if check:
            assert p.returncode == 0, p.stderr.decode()
        return p

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- Berth settings that point at this directory
    def settings(self, **extra) -> dict:
        s = {
            "ldap_url": self.url,
            "ldap_search_dn": READER_DN,
            "ldap_search_password": PASSWORDS["reader"],
            "ldap_base_dn": SUFFIX,
            "ldap_filter": "(objectClass=inetOrgPerson)",
            "ldap_uid": "uid",
            "ldap_scope": 2,
            "ldap_timeout": 5,
            "ldap_group_base_dn": GROUPS,
            "ldap_group_search_filter": "(objectClass=groupOfNames)",
            "ldap_group_attribute_name": "cn",
            "ldap_group_membership_attribute": "memberof",
        }
        s.update(extra)
        return s
