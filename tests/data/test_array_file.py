from __future__ import annotations

import numpy as np
import pytest

from mstatlas.data.array_file import read_arrays, write_arrays


def _arrays() -> dict[str, np.ndarray]:
    return {
        "blob": np.frombuffer("Göteborg München".encode(), dtype=np.uint8),
        "offsets": np.array([0, 9, 18], dtype=np.int32),
        "flags": np.array([True, False, True]),
        "big": np.array([-(2**40), 0, 2**40], dtype=np.int64),
        "lat": np.array([57.70716, 48.13743, -0.5]),
        "empty": np.zeros(0, dtype=np.int64),
    }


def test_arrays_read_back_equal_in_type_and_value(tmp_path):
    path = tmp_path / "sub" / "a.arrays"
    write_arrays(path, _arrays(), "v=1")
    back = read_arrays(path, "v=1")
    assert back is not None and list(back) == list(_arrays())
    for name, arr in _arrays().items():
        assert back[name].dtype == arr.dtype and np.array_equal(back[name], arr)
        assert back[name].ctypes.data % 8 == 0  # each array starts on an 8-byte boundary
    assert bytes(back["blob"]).decode() == "Göteborg München"
    assert [p.name for p in path.parent.iterdir()] == ["a.arrays"]  # no temporary file left


def test_other_meta_is_absent(tmp_path):
    path = tmp_path / "a.arrays"
    write_arrays(path, _arrays(), "v=1")
    assert read_arrays(path, "v=2") is None
    assert read_arrays(tmp_path / "missing.arrays", "v=1") is None


@pytest.mark.parametrize("cut", [0, 10, 30, -1])
def test_truncated_file_is_absent(tmp_path, cut):
    path = tmp_path / "a.arrays"
    write_arrays(path, _arrays(), "v=1")
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    assert read_arrays(path, "v=1") is None


def test_every_flipped_payload_byte_is_caught(tmp_path):
    path = tmp_path / "a.arrays"
    write_arrays(path, _arrays(), "v=1")
    data = path.read_bytes()
    # 18 text bytes, 3 int32, 3 bools, 3 int64, 3 floats, nothing; each padded to 8 bytes
    payload_bytes = 24 + 16 + 8 + 24 + 24 + 0
    for i in range(len(data) - payload_bytes, len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0x80
        path.write_bytes(bytes(damaged))
        assert read_arrays(path, "v=1") is None, i


def test_damaged_header_is_absent(tmp_path):
    path = tmp_path / "a.arrays"
    write_arrays(path, _arrays(), "v=1")
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"<f8"', b'"|O8"'))  # objects are never read
    assert read_arrays(path, "v=1") is None
    path.write_bytes(data.replace(b'"arrays"', b'"arrayz"'))
    assert read_arrays(path, "v=1") is None


def test_unsupported_arrays_are_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot store array 'm'"):
        write_arrays(tmp_path / "a.arrays", {"m": np.zeros((2, 2))}, "v")
    with pytest.raises(ValueError, match="cannot store array 'o'"):
        write_arrays(tmp_path / "a.arrays", {"o": np.array(["x"], dtype=object)}, "v")
    assert not list(tmp_path.iterdir())
