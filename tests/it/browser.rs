//! Browser tests in Debian's Chromium (headless) through chromedriver.
