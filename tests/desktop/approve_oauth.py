#!/usr/bin/python3
"""Stands in for the person's browser during sign-in tests: set BROWSER to this script and
xdg-open hands it the server's authorize page. It signs in as EARSHOT_TEST_OAUTH_USER,
clicks Authorize, and follows the server's redirect back to Earshot's loopback listener,
as a browser would."""
import os
import sys
import urllib.parse
import urllib.request


def main() -> None:
    url = sys.argv[1]
    parts = urllib.parse.urlsplit(url)
    with urllib.request.urlopen(url, timeout=10) as page:
        if b"Authorize" not in page.read():
            sys.exit("approve_oauth: no authorize button on the page")
    form = dict(urllib.parse.parse_qsl(parts.query))
    form.update(username=os.environ["EARSHOT_TEST_OAUTH_USER"], decision="approve")
    action = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/oauth/authorize", "", ""))
    # urllib follows the 302 to Earshot's listener, which answers with its own page.
    with urllib.request.urlopen(action, data=urllib.parse.urlencode(form).encode(), timeout=10) as back:
        if b"You can close this tab" not in back.read():
            sys.exit("approve_oauth: Earshot did not answer the redirect")


if __name__ == "__main__":
    main()
