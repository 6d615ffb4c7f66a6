#!/usr/bin/env python3
"""Drives `tessera preview`'s page in headless Chromium (Debian's chromium and chromium-driver,
through selenium), as a person would, and reports what the page showed.

Usage: preview_browser.py URL OUTPUT_DIR CORRUPT_FILE [--install MANIFEST] [--screenshots DIR]

URL is the one `tessera preview` printed (token included); the server must have been started
with two images (a small one first, a large one second) and two models of the same scale.
Writes OUTPUT_DIR/delivered.png (the preview's bytes as the page received them) and prints one
JSON object: the region dragged, the page's states, the slider's effect, the full run's end,
the chain's figures, the corrupt upload's error, the refused requests' status codes and, with --install, the models
listed after installing MANIFEST from the page.
"""
import base64
import json
import pathlib
import sys
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

# Generous: a first preview loads and measures the model; nothing here is a timing assertion.
WAIT_SECONDS = 300


def status_of(url, headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def refused_requests(url):
    """Status codes of API requests without the token, with a wrong one, from another Host, and with it."""
    parts = urllib.parse.urlsplit(url)
    token = urllib.parse.parse_qs(parts.query)["token"][0]
    base = f"{parts.scheme}://{parts.netloc}"
    return {
        "noToken": status_of(f"{base}/api/setup", {}),
        "tokenInQueryOnly": status_of(f"{base}/api/setup?token={token}", {}),
        "wrongToken": status_of(f"{base}/api/setup", {"X-Tessera-Token": "0" * len(token)}),
        "foreignHost": status_of(f"{base}/api/setup", {"X-Tessera-Token": token, "Host": "attacker.example"}),
        "pageWithoutToken": status_of(f"{base}/", {}),
        "withToken": status_of(f"{base}/api/setup", {"X-Tessera-Token": token}),
    }


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1440,1000"]:
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for_state(driver, *states):
    def reached(d):
        state = d.find_element(By.TAG_NAME, "body").get_attribute("data-state")
        return state if state in states else False

    return WebDriverWait(driver, WAIT_SECONDS).until(reached)


def main():
    url, output, corrupt = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    shots = pathlib.Path(sys.argv[sys.argv.index("--screenshots") + 1]) if "--screenshots" in sys.argv else None
    manifest = sys.argv[sys.argv.index("--install") + 1] if "--install" in sys.argv else None
    output.mkdir(parents=True, exist_ok=True)
    report = {"requests": refused_requests(url)}

    def shot(name, *shown):
        """Saves a screenshot with `shown` (element ids) scrolled into their panes."""
        if shots:
            for element in shown:
                driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'nearest'})", element)
            shots.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(shots / f"{name}.png"))

    driver = browser()
    try:
        driver.get(url)
        report["loaded"] = wait_for_state(driver, "ready", "error")
        shot("preview-open")

        # Drag a rectangle on the overview: from 20%,25% of the picture to 45%,60%.
        picture = driver.find_element(By.ID, "overview-image")
        width, height = picture.size["width"], picture.size["height"]
        start = (int(width * 0.20) - width // 2, int(height * 0.25) - height // 2)
        ActionChains(driver).move_to_element_with_offset(picture, *start).click_and_hold() \
            .move_by_offset(int(width * 0.25), int(height * 0.35)).release().perform()
        report["preview"] = wait_for_state(driver, "preview-done", "error")
        report["region"] = driver.find_element(By.ID, "region-text").get_attribute("data-region")
        report["error"] = driver.find_element(By.ID, "error").text
        report["stats"] = driver.find_element(By.ID, "stats").text
        delivered = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const reader = new FileReader();"
            "reader.onload = () => done(reader.result.split(',')[1]);"
            "reader.readAsDataURL(window.tessera.preview.blob);")
        (output / "delivered.png").write_bytes(base64.b64decode(delivered))

        # The slider: its clip moves the line between the source and the model's output.
        after = driver.find_element(By.ID, "after")
        slider = driver.find_element(By.ID, "slider")
        report["clipBefore"] = after.value_of_css_property("clip-path")
        slider.send_keys(Keys.HOME)
        for _ in range(30):
            slider.send_keys(Keys.ARROW_RIGHT)
        report["clipAfter"] = after.value_of_css_property("clip-path")
        report["sliderValue"] = slider.get_attribute("value")
        shot("preview-region", "preview-panel")

        # Two models on the same region.
        driver.find_element(By.ID, "compare-button").click()
        report["compare"] = wait_for_state(driver, "compare-done", "error")
        report["comparePSNR"] = driver.find_element(By.ID, "compare-figures").get_attribute("data-psnr")
        shot("preview-compare", "compare-button", "sidebyside-panel")

        # A chain: the second model after the first, on the same region.
        chain = Select(driver.find_element(By.ID, "chain"))
        chain.select_by_index(2)
        driver.find_element(By.ID, "preview-button").click()
        report["chain"] = wait_for_state(driver, "preview-done", "error")
        report["chainStats"] = driver.find_element(By.ID, "stats").text.split("\n")[0]
        chain.select_by_index(0)

        # A full-size run of the large image, with TTA, cancelled once progress arrives.
        Select(driver.find_element(By.ID, "image")).select_by_index(1)
        wait_for_state(driver, "ready")
        driver.find_element(By.ID, "tta").click()
        driver.find_element(By.ID, "run-button").click()
        wait_for_state(driver, "running")
        # Cancelled once the first tiles are done: progress arrived over the event stream.
        WebDriverWait(driver, WAIT_SECONDS).until(
            lambda d: float(d.find_element(By.ID, "run-progress").get_attribute("value") or 0) > 0)
        shot("preview-full-run", "run-text")
        report["runText"] = driver.find_element(By.ID, "run-text").text
        driver.find_element(By.ID, "cancel-button").click()
        report["run"] = wait_for_state(driver, "run-cancelled", "run-done", "error")
        report["runEnd"] = driver.find_element(By.ID, "run-text").text

        # A corrupt file uploaded from the page.
        driver.find_element(By.ID, "upload").send_keys(corrupt)
        report["corrupt"] = wait_for_state(driver, "error")
        report["corruptError"] = driver.find_element(By.ID, "error").text
        shot("preview-error")

        if manifest:
            driver.find_element(By.ID, "install-source").send_keys(manifest)
            driver.find_element(By.ID, "install-button").click()
            report["install"] = wait_for_state(driver, "installed", "error")
            report["installText"] = driver.find_element(By.ID, "install-text").text
            report["installError"] = driver.find_element(By.ID, "error").text
            report["models"] = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#model-list li")]
            shot("preview-install", "install-text")
    finally:
        driver.quit()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
