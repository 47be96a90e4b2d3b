"""The console in a real browser: Debian's chromium and chromium-driver, driven by Selenium,
against a real `voxcart serve` with the assistant. Staff sign in, see a handoff appear while a
shopper asks for a person over the REST channel (no reload), reply, the reply reaches the
shopper on their next message, release; then move an order to ready on the orders board.

A screenshot of each page goes to screenshots/ (git-ignored). Without chromium this skips,
except in CI (`CI` set), where a missing browser is a failure."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import DEMO_CSV, DEMO_STORE, REPO_ROOT
from tests.servers import wait_until_up
from tests.test_cli import VOXCART, voxcart

pytestmark = pytest.mark.slow
HOST = "127.0.0.1"
SCREENSHOTS = REPO_ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WAIT_SECONDS = 20


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not CHROMIUM or not CHROMEDRIVER:
        return "chromium and chromium-driver are missing (apt-get install chromium chromium-driver)"
    return None


MISSING = _browser_missing()
if MISSING and os.environ.get("CI"):
    pytest.fail(f"the console browser test cannot run in CI: {MISSING}", pytrace=False)
if MISSING:
    pytest.skip(MISSING, allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@dataclass
class Served:
    base: str
    staff_key: str
    shopper_token: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _run(*args: str | Path, cwd: Path) -> str:
    done = voxcart(*args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A store with the demo catalog, an admin key and one shopper, served by `voxcart serve`
    with the assistant, as a shop would run it."""
    if not VOXCART.exists():
        pytest.fail("the voxcart command is not installed in this environment")
    where = tmp_path_factory.mktemp("console-browser")
    url = f"sqlite:///{where / 'store.db'}"
    _run("db", "upgrade", "--database-url", url, cwd=where)
    _run("catalog", "import", DEMO_CSV, "--store", DEMO_STORE, "--database-url", url, cwd=where)
    key = _run(
        "staff",
        "create-key",
        "--label",
        "Dana",
        "--role",
        "admin",
        "--database-url",
        url,
        cwd=where,
    )
    created = _run("customer", "create", "Ann Lee", "--id", "ann", "--database-url", url, cwd=where)
    token = created.rsplit("token ", 1)[1]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART_")}
    env["VOXCART_DATA_DIR"] = str(where / "data")
    process = subprocess.Popen(
        [str(VOXCART), "serve", "--host", HOST, "--port", str(port), "--database-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=where,
        env=env,
    )
    base = f"http://{HOST}:{port}"
    try:
        # The assistant loads Rasa and TensorFlow first.
        wait_until_up(f"{base}/openapi.json", process, "voxcart serve", 300)
        yield Served(base, key, token)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,880", "--force-device-scale-factor=1"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: Any, name: str) -> None:
    """The whole page, not only the window (Chromium's DevTools protocol)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    picture = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(picture["data"]))


def wait_for(driver: Any, css: str, text: str | None = None) -> WebElement:
    wait = WebDriverWait(driver, WAIT_SECONDS)
    if text is not None:
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))


def texts_of(driver: Any, css: str) -> list[str]:
    """The texts of the elements `css` finds. The board re-renders itself when an order
    moves (server-sent events), so an element found may be replaced before it is read: read
    again until one read sees the same elements throughout."""
    for _ in range(20):
        try:
            return [element.text for element in driver.find_elements(By.CSS_SELECTOR, css)]
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"{css} kept being replaced while read")


def click(driver: Any, css: str) -> None:
    """Clicks what `css` finds, finding it again if the board replaced it meanwhile."""
    for _ in range(20):
        try:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"{css} kept being replaced before it could be clicked")


def say(served: Served, text: str) -> list[str]:
    """One shopper turn over the REST channel, as a shopping app would send it."""
    response = httpx.post(
        f"{served.base}/webhooks/rest/webhook",
        json={"sender": "ann", "message": text},
        headers={"Authorization": f"Bearer {served.shopper_token}"},
        timeout=60,
        trust_env=False,
    )
    assert response.status_code == 200, response.text
    return [reply["text"] for reply in response.json()]


def test_staff_answer_a_handoff_and_move_an_order_in_the_browser(
    served: Served, browser: Any
) -> None:
    driver = browser
    driver.get(f"{served.base}/console/handoffs")
    # Not signed in: the sign-in page, which comes back to the queue afterwards.
    wait_for(driver, "form[action='/console/sign-in']")
    shot(driver, "01-sign-in")
    driver.find_element(By.ID, "key").send_keys("vxk_wrong")
    driver.find_element(By.CSS_SELECTOR, "form[action='/console/sign-in'] button").click()
    wait_for(driver, ".flash.error", "unknown or revoked")
    driver.find_element(By.ID, "key").send_keys(served.staff_key)
    driver.find_element(By.CSS_SELECTOR, "form[action='/console/sign-in'] button").click()
    wait_for(driver, ".empty", "Nobody is waiting")
    assert driver.current_url.endswith("/console/handoffs")
    shot(driver, "02-handoffs-empty")

    # A shopper asks for a person; the queue shows them without a reload.
    say(served, "two croissants please")
    held = say(served, "I want to talk to a real person")
    assert any("staff" in reply for reply in held), held
    wait_for(driver, ".queue-item", "Ann Lee")
    assert any("real person" in text for text in texts_of(driver, ".queue-item"))
    shot(driver, "03-handoffs-waiting")

    click(driver, ".queue-item a")  # the queue re-renders itself: found again if replaced
    wait_for(driver, ".msg-shopper", "two croissants please")
    assert "Croissant" in driver.find_element(By.CSS_SELECTOR, ".side").text
    # What the shopper says now shows up live in the conversation.
    say(served, "are you there?")
    wait_for(driver, "#conversation", "are you there?")
    reply_box = driver.find_element(By.ID, "reply-text")
    reply_box.send_keys("Hi Ann, Dana here. Your croissants are fresh out of the oven.")
    driver.find_element(By.CSS_SELECTOR, "form.reply button").click()
    wait_for(driver, ".msg-staff", "fresh out of the oven")
    assert reply_box.get_attribute("value") == ""
    shot(driver, "04-handoff-conversation")

    # The reply reaches the shopper on their next message through the REST channel.
    heard = say(served, "thanks, and what about coffee?")
    assert heard[0] == "Hi Ann, Dana here. Your croissants are fresh out of the oven.", heard

    driver.find_element(By.ID, "release").click()
    wait_for(driver, ".empty", "Nobody is waiting")
    handoffs = httpx.get(
        f"{served.base}/admin/handoffs",
        params={"status": "all"},
        headers={"X-API-Key": served.staff_key},
        trust_env=False,
    ).json()
    assert [h["status"] for h in handoffs] == ["released"]

    # The shopper orders; staff move the order on the board: preparing, then ready.
    checkout = httpx.post(
        f"{served.base}/checkout",
        json={"fulfilment": "pickup"},
        headers={"Authorization": f"Bearer {served.shopper_token}"},
        trust_env=False,
    )
    assert checkout.status_code == 201, checkout.text
    order_id = checkout.json()["id"]
    driver.find_element(By.LINK_TEXT, "Orders").click()
    ticket = f"#order-{order_id}"
    wait_for(driver, f".column-placed {ticket}")
    buttons = texts_of(driver, f"{ticket} .moves button")
    assert buttons == ["Start preparing", "Cancel"]  # legal moves only
    shot(driver, "05-orders-new")
    click(driver, f"{ticket} button[data-move='preparing']")
    wait_for(driver, f".column-preparing {ticket}")
    click(driver, f"{ticket} button[data-move='ready']")
    wait_for(driver, f".column-ready {ticket}")
    buttons = texts_of(driver, f"{ticket} .moves button")
    assert buttons == ["Collected"]  # a pickup order is never sent out for delivery
    shot(driver, "06-orders-ready")
    order = httpx.get(
        f"{served.base}/admin/orders/{order_id}",
        headers={"X-API-Key": served.staff_key},
        trust_env=False,
    ).json()
    assert order["status"] == "ready"

    # The admin's KPI page: today's order is counted.
    driver.find_element(By.LINK_TEXT, "KPIs").click()
    tiles = wait_for(driver, ".tiles", "CONVERSATIONS")  # labels are upper-cased by CSS
    orders_tile = [t for t in tiles.find_elements(By.CSS_SELECTOR, ".tile") if "ORDERS" in t.text]
    assert orders_tile and "1" in orders_tile[0].find_element(By.TAG_NAME, "strong").text
    shot(driver, "09-kpis")


def test_catalog_pages_in_the_browser(served: Served, browser: Any, tmp_path: Path) -> None:
    driver = browser
    driver.get(f"{served.base}/console/catalog")
    if "sign-in" in driver.current_url:
        driver.find_element(By.ID, "key").send_keys(served.staff_key)
        driver.find_element(By.CSS_SELECTOR, "form[action='/console/sign-in'] button").click()
        driver.get(f"{served.base}/console/catalog")
    search = wait_for(driver, "form.search input[name='q']")
    search.send_keys("croissant")
    driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    row = wait_for(driver, "tbody.product", "Croissant")
    price = row.find_element(By.CSS_SELECTOR, "input.price")
    price.clear()
    price.send_keys("2.95")
    row.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(driver, "tbody.product .ok-text", "Saved")
    shot(driver, "07-catalog")
    product = httpx.get(f"{served.base}/products/CROISSANT", trust_env=False).json()
    assert product["price"] == "2.95"

    bad = tmp_path / "new-season.csv"
    bad.write_text(
        "sku,name,aliases,category,unit,price,stock,options,description\n"
        "SCONE,Cheese scone,,bakery,each,2.40,12,,Warm\n"
        "TART,,,bakery,each,three,5,,Lemon\n"
        "MUFFIN,Blueberry muffin,,bakery,each,2.10,-4,,\n"
    )
    driver.find_element(By.LINK_TEXT, "Import a CSV").click()
    wait_for(driver, "input[type='file']").send_keys(str(bad))
    driver.find_element(By.CSS_SELECTOR, "form[enctype] button").click()
    table = wait_for(driver, ".bad-lines", "TART")
    assert "MUFFIN" in table.text and "SCONE" not in table.text
    shot(driver, "08-catalog-import-errors")
    missing = httpx.get(f"{served.base}/products/SCONE", trust_env=False)
    assert missing.status_code == 404  # all rows or none
