"""`pip install .` must give a working app: the wheel carries cypher/, templates/ and seed/."""

import site
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_the_data_directories(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for directory in ("cypher", "templates", "seed"):
        expected = {f"registry/{directory}/{p.relative_to(ROOT / directory)}"
                    for p in (ROOT / directory).rglob("*") if p.is_file()}
        assert expected and expected <= names, f"{directory}/ missing from the wheel"
    assert "registry/transfers/regimes/eu-gdpr.yaml" in names
    assert "registry/static/style.css" in names


def test_installed_wheel_seeds_and_serves_without_the_source_tree(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The dependencies come from the venv running the tests (as the README sets it up):
    # "--system-site-packages" would show the base interpreter's packages instead, which
    # lack them. Plain path lines in a .pth add those directories after the new venv's
    # own, without running their .pth files (so an editable install there stays out).
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "outer-venv-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                    str(next(wheels.glob("*.whl")))], check=True, capture_output=True, timeout=300)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "REGISTRY_SQLITE_PATH": str(tmp_path / "r.sqlite3"),
           "REGISTRY_SECRET_KEY": "packaging-test", "HOME": str(tmp_path)}
    probe = ("import registry, registry.resources as r; "
             "print(registry.__file__); print(r.resource_dir('seed')); print(r.resource_dir('templates'))")
    where = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    assert str(venv) in where[0] and all(str(venv) in p for p in where[1:]), where
    seeded = subprocess.run([str(venv / "bin" / "registry"), "seed"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded" in seeded.stdout
    page = subprocess.run([str(python), "-c",
                           "from registry import create_app; c = create_app().test_client();"
                           "print(c.get('/login').status_code)"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert page.stdout.strip() == "200", page.stderr
