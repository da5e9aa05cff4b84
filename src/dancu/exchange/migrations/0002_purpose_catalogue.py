"""The first purpose catalogue and the policy stamp row.

Purposes are data: administrators add and retire them (``dancu exchange purpose ...``); these are
the ones the demo and the sectoral pilots start with. Legal references name the law each purpose
rests on; check the current text before relying on one.
"""

from django.db import migrations

PURPOSES = [
    (
        "BHYT.CAP-THE",
        "Cấp, gia hạn thẻ bảo hiểm y tế",
        "Issuing and renewing health-insurance cards",
        "public_task",
        "Luật Bảo hiểm y tế",
    ),
    (
        "BHXH.CHE-DO",
        "Giải quyết chế độ bảo hiểm xã hội (mai táng phí, tử tuất)",
        "Social-insurance benefits (funeral allowance, survivors)",
        "legal_obligation",
        "Luật Bảo hiểm xã hội 2024",
    ),
    ("HT.DANG-KY", "Đăng ký hộ tịch", "Civil-status registration", "public_task", "Luật Hộ tịch 2014"),
    (
        "GD.TUYEN-SINH",
        "Tuyển sinh và quản lý hồ sơ học sinh",
        "School enrolment and pupil records",
        "public_task",
        "Luật Giáo dục 2019",
    ),
    (
        "THUE.MA-SO",
        "Đăng ký và quản lý mã số thuế cá nhân",
        "Personal tax registration",
        "legal_obligation",
        "Luật Quản lý thuế 2019",
    ),
    (
        "NH.KYC",
        "Nhận biết khách hàng khi mở và duy trì tài khoản",
        "Customer due diligence when opening and keeping an account",
        "legal_obligation",
        "Luật Phòng, chống rửa tiền 2022",
    ),
    (
        "YT.KHAM-BENH",
        "Xác định người bệnh khi khám, chữa bệnh",
        "Identifying patients for treatment",
        "vital_interest",
        "Luật Khám bệnh, chữa bệnh 2023",
    ),
    (
        "DVC.LICH-SU",
        "Cho công dân xem ai đã sử dụng dữ liệu của mình",
        "Showing citizens who used their data",
        "legal_obligation",
        "Luật Bảo vệ dữ liệu cá nhân 2025 (91/2025/QH15)",
    ),
    (
        "DV.DONG-Y",
        "Dịch vụ công dân yêu cầu, trên cơ sở sự đồng ý",
        "Services the citizen asks for, on consent",
        "consent",
        "Luật Bảo vệ dữ liệu cá nhân 2025 (91/2025/QH15)",
    ),
]


def load(apps, schema_editor):
    Purpose = apps.get_model("exchange", "Purpose")
    PolicyState = apps.get_model("exchange", "PolicyState")
    for code, title, title_en, basis, reference in PURPOSES:
        Purpose.objects.update_or_create(
            code=code,
            defaults={"title": title, "title_en": title_en, "lawful_basis": basis, "legal_reference": reference},
        )
    PolicyState.objects.get_or_create(pk=1, defaults={"stamp": "initial"})


def unload(apps, schema_editor):
    apps.get_model("exchange", "Purpose").objects.filter(code__in=[p[0] for p in PURPOSES]).delete()
    apps.get_model("exchange", "PolicyState").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
