"""Exit 0 when the PostgreSQL URL given as argument accepts a connection, 1 otherwise."""

import sys

from sqlalchemy import create_engine, text


def main(url: str) -> int:
    try:
        with create_engine(url, connect_args={"connect_timeout": 3}).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        print(f"PostgreSQL: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
