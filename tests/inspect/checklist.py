"""The tally the serve tests keep: one line per check, and the closing 'N passed, N failed'."""


class Checklist:
    def __init__(self):
        self.failures = []
        self.count = 0

    def __call__(self, condition, what):
        self.count += 1
        print(("ok   " if condition else "FAIL ") + what)
        if not condition:
            self.failures.append(what)

    def finish(self):
        print(f"{self.count - len(self.failures)} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0
