"""Is the data file on a network share? SQLite's locking is not reliable there, so say so.

Windows: a UNC path (``\\\\server\\share\\...``) or a drive letter the system calls remote
(``GetDriveTypeW`` = DRIVE_REMOTE). Linux: the mount holding the file has a network file
system type in ``/proc/mounts`` (nfs, cifs, smb, sshfs, ...). The pure helpers take their
inputs as arguments so they are tested on any system.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path, PureWindowsPath

NETWORK_FS_TYPES = {
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p", "davfs",
    "fuse.sshfs", "fuse.davfs2", "fuse.gvfsd-fuse", "fuse.rclone", "ceph", "glusterfs",
    "fuse.glusterfs", "lustre", "gfs2", "ocfs2",
}
DRIVE_REMOTE = 4

WARNING = ("Tệp dữ liệu '{path}' nằm trên ổ mạng ({what}). Chương trình chỉ an toàn khi tệp "
           "nằm trên ổ đĩa của máy này: mất mạng giữa chừng có thể làm hỏng tệp, và hai máy có "
           "thể ghi cùng lúc. Hãy chép tệp về máy (ví dụ thư mục Tài liệu) rồi mở bản đó.")


def _unescape_mount(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def linux_mount_type(path: str, mounts_text: str) -> str | None:
    """The file system type of the mount that holds the absolute ``path``."""
    best, best_type = "", None
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point, fs_type = _unescape_mount(parts[1]), parts[2]
        prefix = mount_point.rstrip("/") + "/"
        if (path == mount_point or path.startswith(prefix) or mount_point == "/") \
                and len(mount_point) >= len(best):
            best, best_type = mount_point, fs_type
    return best_type


def windows_network_reason(path: str, drive_type: Callable[[str], int] | None) -> str | None:
    """"UNC" for \\\\server\\share paths, "ổ X:" for a mapped network drive, else None."""
    windows_path = PureWindowsPath(path)
    if path.startswith(("\\\\", "//")) and not path.startswith(("\\\\?\\", "\\\\.\\")):
        return "đường dẫn mạng \\\\máy\\thư mục"
    if path.startswith("\\\\?\\UNC\\"):
        return "đường dẫn mạng \\\\máy\\thư mục"
    drive = windows_path.drive
    if drive and drive_type is not None and drive_type(drive + "\\") == DRIVE_REMOTE:
        return f"ổ mạng {drive}"
    return None


def _windows_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))


def network_reason(path: str | os.PathLike, *, platform: str | None = None,
                   mounts_text: str | None = None,
                   drive_type: Callable[[str], int] | None = None) -> str | None:
    """Why ``path`` counts as a network location (a short Vietnamese phrase), or None."""
    platform = platform or sys.platform
    if platform == "win32":
        text = str(path) if platform != sys.platform else os.path.abspath(path)
        if drive_type is None and sys.platform == "win32":
            drive_type = _windows_drive_type
        return windows_network_reason(text, drive_type)
    if platform.startswith("linux"):
        if mounts_text is None:
            try:
                mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
        fs_type = linux_mount_type(os.path.realpath(path), mounts_text)
        if fs_type and (fs_type in NETWORK_FS_TYPES or fs_type.split(".")[0] in
                        {"nfs", "cifs", "smb3"}):
            return f"hệ thống tệp {fs_type}"
    return None


def network_warning(path: str | os.PathLike, **kwargs) -> str | None:
    """The Vietnamese warning to show for a data file on a network share, or None."""
    reason = network_reason(path, **kwargs)
    if reason is None:
        return None
    return WARNING.format(path=path, what=reason)
