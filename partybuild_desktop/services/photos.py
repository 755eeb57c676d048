"""Member photos: any picture a clerk has, cropped to 3:4 (一寸照) for the card and the public board."""

from __future__ import annotations

import io

from partybuild_desktop.domain.errors import Refusal

CARD_SIZE = (300, 400)  # 3:4, enough for print at about 25 × 35 mm


class PhotoError(Refusal):
    pass


def crop_for_card(data: bytes) -> bytes:
    """Centre-crop to 3:4 (keeping the top of a portrait, where the face is), resize, save as JPEG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise PhotoError("无法识别这个图片文件，请选择 JPG 或 PNG 格式的照片。") from error
    width, height = image.size
    if width < 60 or height < 80:
        raise PhotoError(f"照片太小（{width}×{height} 像素），请用至少 300×400 像素的照片。")
    target_ratio = CARD_SIZE[0] / CARD_SIZE[1]
    if width / height > target_ratio:  # too wide: cut the sides equally
        new_width = round(height * target_ratio)
        left = (width - new_width) // 2
        box = (left, 0, left + new_width, height)
    else:  # too tall: keep the top part, where the face usually is
        new_height = round(width / target_ratio)
        top = min((height - new_height) // 5, height - new_height)
        box = (0, top, width, top + new_height)
    cropped = image.crop(box).resize(CARD_SIZE, Image.LANCZOS)
    out = io.BytesIO()
    cropped.save(out, format="JPEG", quality=88)
    return out.getvalue()
