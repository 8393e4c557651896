"""Which origins a CORS setting admits (linter/cors.py): only loopback literals make a local setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from goleaklint.cors import loopback_origins_only
from goleaklint.model import FileModel
from goleaklint.source import SourceFile, new_parser


def _local(code: str) -> bool:
    src = ("package p\n" + code + "\n").encode()
    return loopback_origins_only(FileModel(SourceFile(Path("p.go"), "p.go", src, new_parser())))


@pytest.mark.parametrize("code", [
    'var c = cors.Config{AllowOrigins: []string{"http://localhost:5173", "http://127.0.0.1:3000"}}',
    'func f() { c.AllowOrigins = []string{"http://localhost:5173"} }',
    'var h = handlers.CORS(handlers.AllowedOrigins([]string{"http://localhost:3000"}))',
    'var o = cors.Options{AllowedOrigins: []string{"https://[::1]:8443"}, AllowCredentials: true}',
    'var c = cors.Config{AllowOrigins: "http://localhost:3000, http://localhost:5173"}',
    'func f(w http.ResponseWriter) { w.Header().Set("Access-Control-Allow-Origin", "http://localhost:3000") }',
])
def test_loopback_origins_spelled_in_the_code_are_local(code):
    assert _local(code)


@pytest.mark.parametrize("code", [
    'var c = cors.Config{AllowOrigins: []string{"http://localhost:5173", "https://shop.example.com"}}',
    'func f() { c.AllowOrigins = []string{"*"} }',
    'var c = cors.Config{AllowOrigins: strings.Split(os.Getenv("ALLOWED_ORIGINS"), ",")}',
    'var h = handlers.CORS(handlers.AllowedOrigins(origins))',
    'func f(w http.ResponseWriter, o string) { w.Header().Set("Access-Control-Allow-Origin", o) }',
    'var c = cors.Config{AllowOrigins: []string{"http://localhost:5173"}, AllowOriginFunc: allow}',
    'var c = cors.Config{AllowOrigins: []string{"http://localhost:5173"}}\nvar d = cors.Default()',
    'var c = cors.Config{AllowOrigins: []string{"http://localhost.example.com"}}',
    'func f() { x := 1 }',
])
def test_anything_else_admits_other_hosts(code):
    assert not _local(code)
