"""scripts/lib.sh ``ensure_data_plane_packages``: installs only what is missing, with one ``apt-get update``, and does
nothing when everything is there. Run with a PATH of stand-in commands (an ``apt-get`` that records its arguments and
"installs" by creating the command), so the real system is not touched."""
import os
import shutil
import stat
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash") or "/bin/bash"

APT_GET = """#!{bash}
echo "apt-get $*" >> "{log}"
if [ "$1" = install ]; then
  for arg in "$@"; do
    case "$arg" in
      docker-registry) {touch} "{bin}/docker-registry"; {chmod} +x "{bin}/docker-registry" ;;
      skopeo) {touch} "{bin}/skopeo"; {chmod} +x "{bin}/skopeo" ;;
      apache2-utils) {provides_htpasswd} ;;
    esac
  done
fi
"""


def fake_system(tmp_path, present, htpasswd_installable=True):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "apt.log"
    for name in present:
        (bindir / name).write_text("#!%s\n" % BASH)
    touch, chmod = shutil.which("touch"), shutil.which("chmod")
    (bindir / "apt-get").write_text(APT_GET.format(
        bash=BASH, log=log, bin=bindir, touch=touch, chmod=chmod,
        provides_htpasswd='%s "%s/htpasswd"; %s +x "%s/htpasswd"' % (touch, bindir, chmod, bindir) if htpasswd_installable else ":"))
    (bindir / "id").write_text("#!%s\necho 0\n" % BASH)  # root, whoever runs the test
    for tool in ("dirname", "env"):
        os.symlink(shutil.which(tool), bindir / tool)
    for path in bindir.iterdir():
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return bindir, log


def ensure(bindir):
    return subprocess.run([BASH, "-c", 'source scripts/lib.sh; ensure_data_plane_packages; echo done'], cwd=str(REPO),
                          env={"PATH": str(bindir), "HOME": os.environ.get("HOME", "/tmp"), "PYTHON": "python3"},
                          capture_output=True, text=True, timeout=60)


def test_nothing_is_installed_when_every_command_is_there(tmp_path):
    bindir, log = fake_system(tmp_path, ["docker-registry", "skopeo", "htpasswd"])
    result = ensure(bindir)
    assert result.returncode == 0 and result.stdout.strip() == "done", result.stderr
    assert not log.exists()


def test_only_the_missing_packages_are_installed_after_one_update_then_nothing(tmp_path):
    bindir, log = fake_system(tmp_path, ["docker-registry"])
    result = ensure(bindir)
    assert result.returncode == 0, result.stderr
    assert "installing skopeo apache2-utils (Debian)" in result.stderr
    assert log.read_text().splitlines() == [
        "apt-get update -qq", "apt-get install -y -qq --no-install-recommends skopeo apache2-utils"]
    log.unlink()
    assert ensure(bindir).returncode == 0 and not log.exists()  # idempotent: the second run does nothing


def test_a_package_that_does_not_provide_its_command_fails_clearly(tmp_path):
    bindir, log = fake_system(tmp_path, ["docker-registry", "skopeo"], htpasswd_installable=False)
    result = ensure(bindir)
    assert result.returncode != 0 and "done" not in result.stdout
    assert "installing apache2-utils did not provide htpasswd" in result.stderr


def test_a_failing_apt_get_stops_the_script(tmp_path):
    bindir, _ = fake_system(tmp_path, [])
    (bindir / "apt-get").write_text("#!%s\nexit 100\n" % BASH)
    result = ensure(bindir)
    assert result.returncode != 0 and "done" not in result.stdout and "apt-get update failed" in result.stderr


def test_without_root_or_sudo_it_says_so(tmp_path):
    bindir, _ = fake_system(tmp_path, [])
    (bindir / "id").write_text("#!%s\necho 1000\n" % BASH)
    result = ensure(bindir)
    assert result.returncode != 0 and "needs root (or sudo)" in result.stderr
