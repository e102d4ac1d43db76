#!/usr/bin/env python3
"""svcid-inspect serve in a real browser: headless Chromium, driven by Selenium through
chromedriver, pastes a certificate, a key that does not belong to it and a hostile certificate
(a NUL inside a dNSName, HTML and a terminal escape sequence in the CN) into the page, and checks
the rendered DOM: the hostile bytes appear escaped, as text, and never as markup. Screenshots go
to OUTPUT_DIR.

usage: serve_browser.py SVCID_INSPECT OUTPUT_DIR [CHROMIUM CHROMEDRIVER]"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import Checklist  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

check = Checklist()

HOSTILE_CN = "<img src=x onerror=alert(1)>\x1b[31mred<b>bold<\\/b>"
NUL_NAME = b"www.example.com\x00.evil.example"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def der(tag, content):
    n = len(content)
    length = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + content


def make_files(d):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key",
            "-out", "leaf.pem", "-subj", "/O=Example/CN=www.example.com", "-days", "30",
            "-addext", "subjectAltName=DNS:www.example.com,DNS:*.api.example.com,IP:192.0.2.10",
            "-addext", "basicConstraints=critical,CA:FALSE", cwd=d)
    openssl("genpkey", "-algorithm", "ed25519", "-out", "other.key", cwd=d)
    # The NUL-prefix name cannot be typed into openssl's SAN syntax, so the SAN goes in as DER.
    san = der(0x30, der(0x82, NUL_NAME) + der(0x82, b"good.example"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "hostile.key",
            "-out", "hostile.pem", "-subj", "/CN=" + HOSTILE_CN, "-days", "30",
            "-addext", "subjectAltName=DER:" + san.hex(), cwd=d)
    return {name: open(os.path.join(d, name)).read() for name in ("leaf.pem", "other.key", "hostile.pem")}


def main():
    tool, out_dir = sys.argv[1], sys.argv[2]
    chromium = sys.argv[3] if len(sys.argv) > 3 else "/usr/bin/chromium"
    chromedriver = sys.argv[4] if len(sys.argv) > 4 else "/usr/bin/chromedriver"
    os.makedirs(out_dir, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as d:
        files = make_files(d)
        server = subprocess.Popen([tool, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1800", f"--user-data-dir={d}/profile"):
            options.add_argument(flag)
        driver = None
        try:
            url = server.stdout.readline().decode().split("open ", 1)[1].strip()
            driver = webdriver.Chrome(service=Service(executable_path=chromedriver),
                                      options=options)
            driver.get(url)
            wait = WebDriverWait(driver, 15)

            def inspect():
                driver.execute_script("document.getElementById('status').textContent = ''")
                driver.find_element(By.ID, "inspect").click()
                wait.until(lambda drv: drv.find_element(By.ID, "status").text in ("done", "failed"))
                return driver.find_element(By.ID, "status").text

            # Round 1: a certificate and a key that is not its own, typed as a user pastes them.
            driver.find_element(By.ID, "paste-1").send_keys(files["leaf.pem"])
            driver.find_element(By.ID, "paste-2").send_keys(files["other.key"])
            driver.find_element(By.ID, "reference").send_keys("www.example.com v2.api.example.com example.com")
            check(inspect() == "done", "the page inspects a pasted certificate and key")
            rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                    for tr in driver.find_elements(By.CSS_SELECTOR, "#results tr.identity")]
            check(["DNS-ID", "dNSName", "www.example.com"] == rows[0][:3] and ["IP", "iPAddress", "192.0.2.10"] == rows[2][:3],
                  f"the identity table lists the SANs in order ({len(rows)} rows)")
            verdicts = [tr.find_element(By.CSS_SELECTOR, ".badge").text
                        for tr in driver.find_elements(By.CSS_SELECTOR, "#match tr.match-result")]
            check(verdicts == ["MATCH", "MATCH", "NO MATCH"], f"the name check shows {verdicts}")
            keymatch = driver.find_element(By.ID, "keymatch")
            check("DIFFER" in keymatch.find_element(By.CSS_SELECTOR, ".verdict").text and
                  len(keymatch.find_elements(By.CSS_SELECTOR, ".group")) == 2,
                  "the mismatched key is shown as not belonging: keys DIFFER, two key groups")
            check("W005" in driver.find_element(By.ID, "results").text, "the lints are shown (W005 self-signed leaf)")
            driver.save_screenshot(os.path.join(out_dir, "serve-match.png"))

            # Round 2: the hostile certificate.
            for box in ("paste-1", "paste-2"):
                driver.find_element(By.ID, box).clear()
            driver.find_element(By.ID, "paste-1").send_keys(files["hostile.pem"])
            driver.find_element(By.ID, "reference").clear()
            driver.find_element(By.ID, "reference").send_keys("www.example.com")
            check(inspect() == "done", "the page inspects the hostile certificate")
            values = driver.execute_script(
                "return Array.from(document.querySelectorAll('#results tr.identity td.value'))"
                ".map((td) => td.firstChild.textContent)")
            check("www.example.com\\x00.evil.example" in values,
                  "the NUL in the dNSName is shown as the four characters \\x00")
            # openssl's -subj took "\\/" for "/"; svcid-inspect escapes the ESC byte.
            cn = "<img src=x onerror=alert(1)>\\x1b[31mred<b>bold</b>"
            check(cn in values, "the CN's HTML and escape sequence are shown as text, escaped by the server")
            problems = driver.find_element(By.ID, "results").text
            check("contains a NUL byte" in problems, "the NUL name is flagged MALFORMED")
            markup = driver.execute_script(
                "return document.querySelectorAll('#results img, #results b, #results script').length")
            check(markup == 0, "no element was made from certificate data (no img, b or script in the results)")
            try:
                driver.switch_to.alert
                check(False, "no script from the certificate ran (an alert is open)")
            except NoAlertPresentException:
                check(True, "no script from the certificate ran (no alert)")
            raw = driver.execute_script("return document.getElementById('results').innerHTML")
            check("&lt;img src=x" in raw and "\x1b" not in raw and "\x00" not in raw,
                  "the serialised DOM holds &lt;img as text and no raw ESC or NUL byte")
            match_text = driver.find_element(By.ID, "match").text
            check("NO MATCH" in match_text and "\\x00" in match_text,
                  "the name check refuses www.example.com and explains with the escaped name")
            driver.save_screenshot(os.path.join(out_dir, "serve-hostile.png"))
            console = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
            for e in console:
                print("    console: " + e.get("message", ""))
            check(not console, "the page logged no errors (CSP violations included)")
        finally:
            if driver is not None:
                driver.quit()
            server.terminate()
            server.communicate(timeout=10)
    print(f"browser test took {time.monotonic() - started:.1f} s; screenshots in {out_dir}")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
