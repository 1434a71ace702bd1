"""psgan studio in headless Chromium, as a person uses it (scripts/test-studio runs it).

    python3 tools/studio_browser_test.py PSGAN_STUDIO SCREENSHOT_DIR

Opens the page, loads poses/dance.json, scrubs the timeline, picks a seed from the gallery, changes a
look colour and sees the still change, renders 30 frames, sees the progress reach the end, plays the
clip in the page (its time advances) and downloads it (checked with ffprobe). Prints
'N passed, N failed' and exits non-zero on a failure.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[1]
passed, failed = 0, 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary, shots = sys.argv[1], Path(sys.argv[2])
    shots.mkdir(parents=True, exist_ok=True)
    workspace = tempfile.mkdtemp(prefix="psgan-studio-ws-")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--workspace", workspace], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        options = Options()
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--autoplay-policy=no-user-gesture-required"):
            options.add_argument(flag)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        wait = WebDriverWait(driver, 60)
        try:
            run(driver, wait, base, shots)
        finally:
            driver.quit()
        # A long render running when the server is stopped: SIGTERM cancels it and its partial file goes.
        poses = json.loads(urllib.request.urlopen(urllib.request.Request(
            base + "/api/poses?name=dance.json", data=(ROOT / "poses" / "dance.json").read_bytes(), method="POST")).read())
        render = json.loads(urllib.request.urlopen(urllib.request.Request(
            base + "/api/renders", data=json.dumps({"poses": poses["id"], "fps": 240}).encode(), method="POST",
            headers={"Content-Type": "application/json"})).read())["id"]
        for _ in range(300):
            status = json.loads(urllib.request.urlopen(f"{base}/api/renders/{render}").read())
            if status["completed"] > 0:
                break
            time.sleep(0.1)
        check("a long render is running when SIGTERM comes", status["state"] == "running" and status["completed"] < status["total"], str(status))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        check("SIGTERM stops the server", server.returncode is not None)
        leftovers = [p.name for p in Path(workspace, "renders").iterdir() if p.name.startswith(".") or "partial" in p.name]
        check("no partial file is left", not leftovers, str(leftovers))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def run(driver, wait, base, shots):
    driver.get(base + "/")
    wait.until(lambda d: d.find_element(By.ID, "model").text)
    check("the page loads with the model", "128x128" in driver.find_element(By.ID, "model").text)
    driver.find_element(By.ID, "pose-file").send_keys(str(ROOT / "poses" / "dance.json"))
    wait.until(lambda d: d.find_element(By.ID, "frame").get_attribute("max") == "89")
    check("dance.json opens: 90 frames on the timeline", True)
    # Scrub: move the slider to frame 40.
    driver.execute_script("const f = document.getElementById('frame'); f.value = 40; f.dispatchEvent(new Event('input'));")
    check("scrubbing moves the frame", "frame 40" in driver.find_element(By.ID, "frame-label").text)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#gallery figure img")) == 8
               and all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i)
                       for i in d.find_elements(By.CSS_SELECTOR, "#gallery figure img")))
    check("the gallery shows 8 seeds in the pose", True)
    driver.find_elements(By.CSS_SELECTOR, "#gallery figure")[5].click()
    wait.until(lambda d: d.find_element(By.ID, "seed-label").text == "seed 5")
    wait.until(lambda d: d.execute_script("return document.getElementById('still').naturalWidth") > 0)
    before = driver.execute_script("return document.getElementById('still').src")
    driver.save_screenshot(str(shots / "studio-gallery.png"))
    # A look colour: hair red; the still changes.
    driver.execute_script("const i = document.getElementById('look-hair'); i.value = '#d03030'; i.dispatchEvent(new Event('input'));")
    wait.until(lambda d: d.execute_script("return document.getElementById('still').src") != before)
    check("changing the hair colour changes the still", True)
    # Render 30 frames.
    driver.execute_script("document.getElementById('frames').value = '0:30'; document.getElementById('upscale').value = 'none';")
    driver.find_element(By.ID, "render").click()
    wait.until(lambda d: d.find_element(By.ID, "progress-label").text.startswith("done"))
    label = driver.find_element(By.ID, "progress-label").text
    check("the progress reaches the end", "30/30 frames" in label, label)
    wait.until(lambda d: d.execute_script("return document.getElementById('video').readyState") >= 2)
    driver.execute_script("document.getElementById('video').play()")
    time.sleep(1.0)
    played = driver.execute_script("return document.getElementById('video').currentTime")
    check("the clip plays in the page", played > 0.2, f"currentTime {played}")
    driver.save_screenshot(str(shots / "studio.png"))
    href = driver.find_element(By.ID, "download").get_attribute("href")
    data = urllib.request.urlopen(href).read()
    with tempfile.NamedTemporaryFile(suffix=".mp4", delete=False) as f:
        f.write(data)
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
                                       "-of", "json", f.name], capture_output=True, text=True).stdout)
    os.unlink(f.name)
    stream = probe["streams"][0]
    check("the download is the clip (ffprobe)", stream["codec_name"] == "h264" and stream["nb_read_frames"] == "30", str(stream))
    check("the recent renders list it", len(driver.find_elements(By.CSS_SELECTOR, "#renders li")) >= 1)
    # Re-open it: its settings come back into the form.
    driver.execute_script("document.getElementById('frames').value = ''")
    driver.find_element(By.CSS_SELECTOR, "#renders li button").click()
    check("a recent render re-opens with its settings", driver.find_element(By.ID, "frames").get_attribute("value") == "0:30")


if __name__ == "__main__":
    main()
