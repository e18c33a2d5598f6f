"""The Harbor emulator's behaviour tests: each one asserts what Harbor v2.15.2 answers and names the Go file of
goharbor/harbor that decides it. The emulator itself is ``tests/harbor_emulator``."""
