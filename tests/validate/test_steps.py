from generator.validate.steps import log_excerpt


def test_log_excerpt_shows_the_last_traceback_not_the_access_lines() -> None:
    log = "\n".join(
        [
            "2026-01-01 00:00:00,000 INFO app: started",
            "2026-01-01 00:00:01,000 ERROR app: unhandled",
            "Traceback (most recent call last):",
            '  File "app/x.py", line 1, in f',
            "ValueError: the real cause",
            *[f"2026-01-01 00:00:02,000 INFO uvicorn.access: GET /{n} 200" for n in range(50)],
        ]
    )
    excerpt = log_excerpt(log)
    assert excerpt.startswith("Traceback")
    assert excerpt.endswith("ValueError: the real cause")
    assert log_excerpt("a\nb\n") == "a\nb"
