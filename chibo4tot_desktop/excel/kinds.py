"""The lists the office exports, by command-line name (kept apart from ``exports`` so the
command line and the window can list them without loading xlsxwriter)."""

KINDS = {
    "cells": "Danh sách chi bộ",
    "registrations": "Danh sách đăng ký thi đua",
    "scores": "Bảng chấm điểm",
    "results": "Kết quả đánh giá, xếp loại",
    "proposals": "Danh sách đề nghị công nhận",
    "awards": "Sổ khen thưởng",
    "summary": "Thống kê sơ kết, tổng kết",
}
