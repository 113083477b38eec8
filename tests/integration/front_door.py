"""A school's front door, made of real programs: a private certificate authority (openssl), an HTTPS front
end with basic authentication in front of Moodle (nginx), and a forward proxy (tinyproxy)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

CA_NAME = "Colegio Example Root CA"


def outward_address() -> str | None:
    """This machine's own non-loopback IPv4 address: Chromium never sends loopback through a proxy."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def private_ca(folder: Path, host: str) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key): a school's own CA and the certificate it issued to
    its Moodle at `host` (an IP address)."""
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "site.key", "site.csr", "site.pem"))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca), "-days", "30",
            "-subj", f"/O=Colegio Example/CN={CA_NAME}")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={host}")
    extensions = folder / "site.ext"
    # DNS:localhost as well: through a proxy, Playwright's HTTP client checks a site addressed by IP against
    # the name "localhost" (Node sends no IP as TLS server name; https-proxy-agent then leaves Node's default).
    # Schools' sites have names, which it checks properly; README says so under the proxy option.
    extensions.write_text(f"subjectAltName=IP:{host},DNS:localhost\nbasicConstraints=CA:FALSE\n"
                          "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(cert), "-days", "30", "-extfile", str(extensions))
    return ca, cert, key


class Daemon:
    """A server program in the foreground of its own process, stopped at the end."""

    def __init__(self, argv: list[str], port: tuple[str, int], log: Path):
        self.log = log
        self._process = subprocess.Popen(argv, stdout=log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(port, timeout=1).close()
                return
            except OSError:
                if self._process.poll() is not None:
                    raise RuntimeError(f"{argv[0]} stopped: {log.read_text()[-500:]}")
                time.sleep(0.1)
        raise RuntimeError(f"{argv[0]} did not listen on {port}")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()


def https_front_end(folder: Path, listen: tuple[str, int], upstream_port: int, cert: Path, key: Path,
                    basic_auth: tuple[str, str]) -> Daemon:
    """nginx terminating TLS at `listen` and asking for basic authentication, in front of Moodle on
    127.0.0.1:`upstream_port` (the Host header passed on, as a school's load balancer does)."""
    user, password = basic_auth
    hashed = subprocess.run(["openssl", "passwd", "-apr1", password], check=True, capture_output=True,
                            text=True).stdout.strip()
    (folder / "htpasswd").write_text(f"{user}:{hashed}\n")
    host, port = listen
    config = folder / "nginx.conf"
    who = "user root;\n" if os.geteuid() == 0 else ""  # its workers read the password file in a private folder
    config.write_text(f"""{who}daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{}}
http {{
  access_log {folder}/nginx-access.log;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  server {{
    listen {host}:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    client_max_body_size 50m;
    location / {{
      auth_basic "staging";
      auth_basic_user_file {folder}/htpasswd;
      proxy_pass http://127.0.0.1:{upstream_port};
      proxy_set_header Host $http_host;
      proxy_set_header Authorization "";
      proxy_read_timeout 300s;
    }}
  }}
}}
""")
    return Daemon([_program("nginx"), "-c", str(config), "-p", str(folder)], listen, folder / "nginx.out")


def forward_proxy(folder: Path, port: int, connect_ports: tuple[int, ...]) -> Daemon:
    """tinyproxy on 127.0.0.1:`port`, logging every CONNECT it tunnels."""
    config = folder / "tinyproxy.conf"
    allowed = "\n".join(f"ConnectPort {p}" for p in connect_ports)
    config.write_text(f"""Port {port}
Listen 127.0.0.1
Timeout 120
LogFile "{folder}/tinyproxy.log"
LogLevel Connect
MaxClients 50
Allow 127.0.0.1
{allowed}
""")
    return Daemon([_program("tinyproxy"), "-d", "-c", str(config)], ("127.0.0.1", port), folder / "tinyproxy.out")


def _program(name: str) -> str:
    for candidate in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(f"{name} is not installed (Debian: apt-get install {name})")
