"""The lowest version a generated project may declare for each of these dependencies, and why.

tests/test_floors.py holds every rendered pyproject.toml at or above these. Raise an entry when
a new advisory is fixed; lower one only when its reason no longer holds.
"""

# package: (lowest allowed floor, the reason)
FLOORS: dict[str, tuple[str, str]] = {
    "python-multipart": ("0.0.31", "GHSA-v9pg-7xvm-68hf and six earlier; it parses the OAuth2 login form"),
    "pyjwt": ("2.15", "GHSA-8wjv-2p76-3863 and eight more in 2.14.0; 2.15.0 ends nested-payload recursion"),
    "fastapi": ("0.165", "requires starlette>=1.6.0, past GHSA-86qp-5c8j-p5mr and GHSA-82w8-qh3p-5jfq"),
    "pydantic": ("2.4", "GHSA-mr82-8j83-vxmv (CVE-2024-3772), e-mail validation ReDoS"),
    "pydantic-settings": ("2.14.2", "GHSA-4xgf-cpjx-pc3j"),
    "uvicorn": ("0.11.7", "GHSA-33c7-2mpw-hg34 and GHSA-f97h-2pfx-f59f (log and header injection)"),
    "redis": ("4.5.4", "GHSA-8fww-64cx-x8p5 (CVE-2023-28859): replies leak across cancelled commands"),
    "asyncpg": ("0.21", "GHSA-2xpj-f5g2-8p7m (CVE-2020-17446): uninitialised pointer in a decoder"),
    "asyncmy": ("0.2.12", "GHSA-qhqw-rrw9-25rm (CVE-2025-65896); CPython 3.13 wheels since 0.2.11"),
    "httpx": ("0.23", "CVE-2021-41945, improper input validation of URLs"),
    "pytest": ("9.0.3", "GHSA-6w46-j5rx-g56g (CVE-2025-71176), predictable /tmp/pytest-of-{user}"),
}
