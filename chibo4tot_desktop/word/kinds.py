"""The Word drafts the office can make, by command-line name (kept apart from ``drafts`` so
the command line and the window can list them without loading python-docx)."""

KINDS = {
    "submission": "Tờ trình đề nghị công nhận, khen thưởng (kèm danh sách)",
    "decision": "Dự thảo quyết định công nhận, khen thưởng (kèm danh sách)",
    "review-report": "Báo cáo sơ kết phong trào thi đua năm",
    "final-report": "Báo cáo tổng kết phong trào thi đua giai đoạn",
    "reminder": "Công văn đôn đốc các chi bộ chưa đăng ký thi đua",
}
FILE_NAMES = {
    "submission": "to-trinh-de-nghi", "decision": "du-thao-quyet-dinh",
    "review-report": "bao-cao-so-ket", "final-report": "bao-cao-tong-ket",
    "reminder": "cong-van-don-doc",
}
