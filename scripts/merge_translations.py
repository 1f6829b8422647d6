"""Merge locale/ru/LC_MESSAGES/parts/*.po into django.po and compile it."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LC = ROOT / "locale" / "ru" / "LC_MESSAGES"
target_path = LC / "django.po"

target = polib.pofile(str(target_path)) if target_path.exists() else polib.POFile()
target.metadata = {
    "Project-Id-Version": "pressroom",
    "Language": "ru",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<12 || n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && "
    "n%100<=14)? 2 : 3);",
}
index = {(e.msgctxt, e.msgid): e for e in target}
for part in sorted((LC / "parts").glob("*.po")):
    for entry in polib.pofile(str(part)):
        existing = index.get((entry.msgctxt, entry.msgid))
        if existing is None:
            target.append(entry)
            index[(entry.msgctxt, entry.msgid)] = entry
        else:
            existing.msgstr = entry.msgstr
            existing.msgstr_plural = entry.msgstr_plural
            existing.msgid_plural = entry.msgid_plural
target.sort(key=lambda e: (e.msgctxt or "", e.msgid))
target.save(str(target_path))
target.save_as_mofile(str(target_path.with_suffix(".mo")))
print(f"{target_path.relative_to(ROOT)}: {len(target)} entries")
