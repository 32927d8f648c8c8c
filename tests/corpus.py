"""What every file in the shared test corpus should become on upload: the expected verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS: Path = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# The corpus's own documentation, not test data.
_DOC_PREFIXES = ("README", "LICENSE")
_DOC_NAMES = frozenset({"PngSuite.README"})
_DOC_SUFFIXES = frozenset({".json", ".rst"})


@dataclass(frozen=True)
class Accepted:
    media_type: str
    kind: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Refused:
    code: str


CORRUPT = Refused("asset_file_corrupt")
NOT_ALLOWED = Refused("asset_content_type_not_allowed")
EMPTY = Refused("asset_file_empty")


def corpus_files() -> list[Path]:
    """Every data file of the corpus (documentation files excluded), sorted."""
    return sorted(
        path
        for path in CORPUS.rglob("*")
        if path.is_file()
        and not path.name.upper().startswith(_DOC_PREFIXES)
        and path.name not in _DOC_NAMES
        and path.suffix not in _DOC_SUFFIXES
    )


# Decisions, with the reason wherever a file is refused or could surprise:
# - PngSuite x*.png are corrupt on purpose (bad signature, IHDR, CRC, missing IDAT).
# - Formats outside the allow-list (WMA/ASF, APE, WavPack, Musepack, TAK, TTA, OptimFROG,
#   DSF/DFF, MIDI, AC-3/E-AC-3, 3GPP2, HTML, bare ID3/APEv2 tag files) are not allowed.
# - nero-chapters.m4b has an empty mdat, 64bit.mp4 / truncated-64bit.mp4 have boxes that
#   overrun the file, the crafted FLAC files break STREAMINFO / picture / block lengths,
#   id3v23_unsynch.id3 holds a cut-off MPEG frame after its tag: all corrupt.
# - The JPEGs under jpg/tests and jpg/invalid have odd EXIF but intact image data: accepted.
# - jpg/corrupted.jpg is not: its scan is cut short (2,228 of the 19,493 restart markers its
#   3648x2736 frame needs; 0xFF bytes overwrite the data at byte 229,375, an EOI comes early
#   and a second JPEG follows). libjpeg reports "premature end of data segment" and fills
#   the rest grey: corrupt.
# - Dimensions are the stored ones from the header (no EXIF or HEIF rotation applied).
EXPECTED: dict[str, Accepted | Refused] = {
    # --- audio ---
    "audio/106-invalid-streaminfo.flac": CORRUPT,
    "audio/106-short-picture-block-size.flac": CORRUPT,
    "audio/11k-1ch-2s-silence.aif": Accepted("audio/aiff", "audio"),
    "audio/145-invalid-item-count.apev2": NOT_ALLOWED,
    "audio/2822400-1ch-0s-silence.dff": NOT_ALLOWED,
    "audio/2822400-1ch-0s-silence.dsf": NOT_ALLOWED,
    "audio/48k-2ch-s16-silence.aif": Accepted("audio/aiff", "audio"),
    "audio/52-overwritten-metadata.flac": CORRUPT,
    "audio/52-too-short-block-size.flac": CORRUPT,
    "audio/5644800-2ch-s01-silence-dst.dff": NOT_ALLOWED,
    "audio/5644800-2ch-s01-silence.dff": NOT_ALLOWED,
    "audio/5644800-2ch-s01-silence.dsf": NOT_ALLOWED,
    "audio/64bit.mp4": CORRUPT,
    "audio/8k-1ch-1s-silence.aif": Accepted("audio/aiff", "audio"),
    "audio/8k-1ch-3.5s-silence.aif": Accepted("audio/aiff", "audio"),
    "audio/8k-4ch-1s-silence.aif": Accepted("audio/aiff", "audio"),
    "audio/97-unknown-23-update.mp3": Accepted("audio/mpeg", "audio"),
    "audio/adif.aac": Accepted("audio/aac", "audio"),
    "audio/alac.m4a": Accepted("audio/m4a", "audio"),
    "audio/almostempty.mpc": NOT_ALLOWED,
    "audio/apev2-lyricsv2.mp3": Accepted("audio/mpeg", "audio"),
    "audio/audacious-trailing-id32-apev2.mp3": Accepted("audio/mpeg", "audio"),
    "audio/audacious-trailing-id32-id31.mp3": Accepted("audio/mpeg", "audio"),
    "audio/bad-POPM-frame.mp3": Accepted("audio/mpeg", "audio"),
    "audio/bad-TYER-frame.mp3": Accepted("audio/mpeg", "audio"),
    "audio/bad-xing.mp3": Accepted("audio/mpeg", "audio"),
    "audio/brokentag.apev2": NOT_ALLOWED,
    "audio/click.mpc": NOT_ALLOWED,
    "audio/covr-with-name.m4a": Accepted("audio/m4a", "audio"),
    "audio/dsd.wv": NOT_ALLOWED,
    "audio/empty.aac": Accepted("audio/aac", "audio"),
    "audio/empty.ofr": NOT_ALLOWED,
    "audio/empty.ofs": NOT_ALLOWED,
    "audio/empty.ogg": Accepted("audio/ogg", "audio"),
    "audio/empty.oggflac": Accepted("audio/ogg", "audio"),
    "audio/empty.spx": Accepted("audio/ogg", "audio"),
    "audio/empty.tta": NOT_ALLOWED,
    "audio/emptyfile.mp3": EMPTY,
    "audio/ep7.m4b": Accepted("audio/mp4", "audio"),
    "audio/ep9.m4b": Accepted("audio/mp4", "audio"),
    "audio/example.opus": Accepted("audio/opus", "audio"),
    "audio/flac_application.flac": Accepted("audio/flac", "audio"),
    "audio/has-tags.m4a": Accepted("audio/m4a", "audio"),
    "audio/has-tags.tak": NOT_ALLOWED,
    "audio/id3v1v2-combined.mp3": Accepted("audio/mpeg", "audio"),
    "audio/id3v22-test.mp3": Accepted("audio/mpeg", "audio"),
    "audio/id3v23_unsynch.id3": CORRUPT,
    "audio/id3v24_extended_header.id3": NOT_ALLOWED,
    "audio/image.jpg": Accepted("image/jpeg", "image", 15, 15),
    "audio/issue_21.id3": NOT_ALLOWED,
    "audio/issue_29.wma": NOT_ALLOWED,
    "audio/lame-peak.mp3": Accepted("audio/mpeg", "audio"),
    "audio/lame.mp3": Accepted("audio/mpeg", "audio"),
    "audio/lame397v9short.mp3": Accepted("audio/mpeg", "audio"),
    "audio/mac-390-hdr.ape": NOT_ALLOWED,
    "audio/mac-396.ape": NOT_ALLOWED,
    "audio/mac-399.ape": NOT_ALLOWED,
    "audio/multipage-setup.ogg": Accepted("audio/ogg", "audio"),
    "audio/multipagecomment.ogg": Accepted("audio/ogg", "audio"),
    "audio/multiplexed.spx": Accepted("audio/ogg", "audio"),
    "audio/nero-chapters.m4b": CORRUPT,
    "audio/no-tags.3g2": NOT_ALLOWED,
    "audio/no-tags.flac": Accepted("audio/flac", "audio"),
    "audio/no-tags.m4a": Accepted("audio/m4a", "audio"),
    "audio/no-tags.mp3": Accepted("audio/mpeg", "audio"),
    "audio/no_length.wv": NOT_ALLOWED,
    "audio/oldtag.apev2": NOT_ALLOWED,
    "audio/ooming-header.flac": CORRUPT,
    "audio/sample.mid": NOT_ALLOWED,
    "audio/sample.oggtheora": Accepted("video/ogg", "video", 300, 200),
    "audio/sample_bitrate.oggtheora": Accepted("video/ogg", "video", 720, 576),
    "audio/sample_length.oggtheora": Accepted("video/ogg", "video", 854, 480),
    "audio/silence-1.wma": NOT_ALLOWED,
    "audio/silence-2.wma": NOT_ALLOWED,
    "audio/silence-2s-44100-16.ofr": NOT_ALLOWED,
    "audio/silence-2s-44100-16.ofs": NOT_ALLOWED,
    "audio/silence-2s-PCM-16000-08-ID3v23.wav": Accepted("audio/wav", "audio"),
    "audio/silence-2s-PCM-16000-08-notags.wav": Accepted("audio/wav", "audio"),
    "audio/silence-2s-PCM-44100-16-ID3v23.wav": Accepted("audio/wav", "audio"),
    "audio/silence-3.wma": NOT_ALLOWED,
    "audio/silence-44-s-mpeg2.mp3": Accepted("audio/mpeg", "audio"),
    "audio/silence-44-s-mpeg25.mp3": Accepted("audio/mpeg", "audio"),
    "audio/silence-44-s-v1.mp3": Accepted("audio/mpeg", "audio"),
    "audio/silence-44-s.ac3": NOT_ALLOWED,
    "audio/silence-44-s.eac3": NOT_ALLOWED,
    "audio/silence-44-s.flac": Accepted("audio/flac", "audio"),
    "audio/silence-44-s.mp3": Accepted("audio/mpeg", "audio"),
    "audio/silence-44-s.tak": NOT_ALLOWED,
    "audio/silence-44-s.wv": NOT_ALLOWED,
    "audio/sv4_header.mpc": NOT_ALLOWED,
    "audio/sv5_header.mpc": NOT_ALLOWED,
    "audio/sv8_header.mpc": NOT_ALLOWED,
    "audio/too-short.mp3": Accepted("audio/mpeg", "audio"),
    "audio/truncated-64bit.mp4": CORRUPT,
    "audio/variable-block.flac": Accepted("audio/flac", "audio"),
    "audio/vbri.mp3": Accepted("audio/mpeg", "audio"),
    "audio/with-id3.aif": Accepted("audio/aiff", "audio"),
    "audio/with-id3.dsf": NOT_ALLOWED,
    "audio/without-id3.dsf": NOT_ALLOWED,
    "audio/xing.mp3": Accepted("audio/mpeg", "audio"),
    # --- images/exif-samples/"tiff ---
    'images/exif-samples/"tiff/Cr303251mieux11.tiff"': Accepted("image/tiff", "image", 199, 47),
    # --- images/exif-samples/heic ---
    "images/exif-samples/heic/IMG_5195.HEIC": Accepted("image/heic", "image", 2566, 3313),
    "images/exif-samples/heic/mobile/HMD_Nokia_8.3_5G.heif": Accepted(
        "image/heif", "image", 4608, 3456
    ),
    "images/exif-samples/heic/mobile/HMD_Nokia_8.3_5G_hdr.heif": Accepted(
        "image/heif", "image", 4608, 3456
    ),
    "images/exif-samples/heic/mobile/iphone_13_pro_max.HEIC": Accepted(
        "image/heic", "image", 4032, 3024
    ),
    "images/exif-samples/heic/samplefilehub.heif": Accepted("image/heif", "image", 640, 426),
    # --- images/exif-samples/jpg ---
    "images/exif-samples/jpg/Canon_40D.jpg": Accepted("image/jpeg", "image", 100, 68),
    "images/exif-samples/jpg/Canon_40D_photoshop_import.jpg": Accepted(
        "image/jpeg", "image", 100, 77
    ),
    "images/exif-samples/jpg/Canon_DIGITAL_IXUS_400.jpg": Accepted("image/jpeg", "image", 100, 75),
    "images/exif-samples/jpg/Canon_PowerShot_S40.jpg": Accepted("image/jpeg", "image", 480, 360),
    "images/exif-samples/jpg/Fujifilm_FinePix6900ZOOM.jpg": Accepted(
        "image/jpeg", "image", 100, 75
    ),
    "images/exif-samples/jpg/Fujifilm_FinePix_E500.jpg": Accepted("image/jpeg", "image", 59, 100),
    "images/exif-samples/jpg/Kodak_CX7530.jpg": Accepted("image/jpeg", "image", 100, 78),
    "images/exif-samples/jpg/Konica_Minolta_DiMAGE_Z3.jpg": Accepted(
        "image/jpeg", "image", 70, 100
    ),
    "images/exif-samples/jpg/Nikon_COOLPIX_P1.jpg": Accepted("image/jpeg", "image", 100, 75),
    "images/exif-samples/jpg/Nikon_D70.jpg": Accepted("image/jpeg", "image", 100, 66),
    "images/exif-samples/jpg/Olympus_C8080WZ.jpg": Accepted("image/jpeg", "image", 100, 72),
    "images/exif-samples/jpg/PaintTool_sample.jpg": Accepted("image/jpeg", "image", 88, 100),
    "images/exif-samples/jpg/Panasonic_DMC-FZ30.jpg": Accepted("image/jpeg", "image", 100, 75),
    "images/exif-samples/jpg/Pentax_K10D.jpg": Accepted("image/jpeg", "image", 100, 72),
    "images/exif-samples/jpg/Reconyx_HC500_Hyperfire.jpg": Accepted(
        "image/jpeg", "image", 2048, 1536
    ),
    "images/exif-samples/jpg/Ricoh_Caplio_RR330.jpg": Accepted("image/jpeg", "image", 100, 75),
    "images/exif-samples/jpg/Samsung_Digimax_i50_MP3.jpg": Accepted("image/jpeg", "image", 100, 75),
    "images/exif-samples/jpg/Sony_HDR-HC3.jpg": Accepted("image/jpeg", "image", 100, 64),
    "images/exif-samples/jpg/WWL_(Polaroid)_ION230.jpg": Accepted("image/jpeg", "image", 75, 100),
    "images/exif-samples/jpg/corrupted.jpg": CORRUPT,
    "images/exif-samples/jpg/exif-org/canon-ixus.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/exif-org/fujifilm-dx10.jpg": Accepted(
        "image/jpeg", "image", 1024, 768
    ),
    "images/exif-samples/jpg/exif-org/fujifilm-finepix40i.jpg": Accepted(
        "image/jpeg", "image", 600, 450
    ),
    "images/exif-samples/jpg/exif-org/fujifilm-mx1700.jpg": Accepted(
        "image/jpeg", "image", 640, 480
    ),
    "images/exif-samples/jpg/exif-org/kodak-dc210.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/exif-org/kodak-dc240.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/exif-org/nikon-e950.jpg": Accepted("image/jpeg", "image", 800, 600),
    "images/exif-samples/jpg/exif-org/olympus-c960.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/exif-org/olympus-d320l.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/exif-org/ricoh-rdc5300.jpg": Accepted("image/jpeg", "image", 896, 600),
    "images/exif-samples/jpg/exif-org/sanyo-vpcg250.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/exif-org/sanyo-vpcsx550.jpg": Accepted(
        "image/jpeg", "image", 640, 480
    ),
    "images/exif-samples/jpg/exif-org/sony-cybershot.jpg": Accepted(
        "image/jpeg", "image", 640, 480
    ),
    "images/exif-samples/jpg/exif-org/sony-d700.jpg": Accepted("image/jpeg", "image", 672, 512),
    "images/exif-samples/jpg/exif-org/sony-powershota5.jpg": Accepted(
        "image/jpeg", "image", 1024, 768
    ),
    "images/exif-samples/jpg/gps/DSCN0010.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0012.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0021.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0025.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0027.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0029.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0038.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0040.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/gps/DSCN0042.jpg": Accepted("image/jpeg", "image", 640, 480),
    "images/exif-samples/jpg/hdr/canon_hdr_NO.jpg": Accepted("image/jpeg", "image", 2048, 1536),
    "images/exif-samples/jpg/hdr/canon_hdr_YES.jpg": Accepted("image/jpeg", "image", 2048, 1536),
    "images/exif-samples/jpg/hdr/iphone_hdr_NO.jpg": Accepted("image/jpeg", "image", 3264, 2448),
    "images/exif-samples/jpg/hdr/iphone_hdr_YES.jpg": Accepted("image/jpeg", "image", 3264, 2448),
    "images/exif-samples/jpg/invalid/image00971.jpg": Accepted("image/jpeg", "image", 636, 227),
    "images/exif-samples/jpg/invalid/image01088.jpg": Accepted("image/jpeg", "image", 425, 120),
    "images/exif-samples/jpg/invalid/image01137.jpg": Accepted("image/jpeg", "image", 88, 64),
    "images/exif-samples/jpg/invalid/image01551.jpg": Accepted("image/jpeg", "image", 61, 58),
    "images/exif-samples/jpg/invalid/image01713.jpg": Accepted("image/jpeg", "image", 49, 500),
    "images/exif-samples/jpg/invalid/image01980.jpg": Accepted("image/jpeg", "image", 284, 25),
    "images/exif-samples/jpg/invalid/image02206.jpg": Accepted("image/jpeg", "image", 65, 65),
    "images/exif-samples/jpg/long_description.jpg": Accepted("image/jpeg", "image", 100, 73),
    "images/exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg": Accepted(
        "image/jpeg", "image", 4608, 1976
    ),
    "images/exif-samples/jpg/mobile/jolla.jpg": Accepted("image/jpeg", "image", 3264, 2448),
    "images/exif-samples/jpg/orientation/landscape_1.jpg": Accepted(
        "image/jpeg", "image", 600, 450
    ),
    "images/exif-samples/jpg/orientation/landscape_2.jpg": Accepted(
        "image/jpeg", "image", 600, 450
    ),
    "images/exif-samples/jpg/orientation/landscape_3.jpg": Accepted(
        "image/jpeg", "image", 600, 450
    ),
    "images/exif-samples/jpg/orientation/landscape_4.jpg": Accepted(
        "image/jpeg", "image", 600, 450
    ),
    "images/exif-samples/jpg/orientation/landscape_5.jpg": Accepted(
        "image/jpeg", "image", 450, 600
    ),
    "images/exif-samples/jpg/orientation/landscape_6.jpg": Accepted(
        "image/jpeg", "image", 450, 600
    ),
    "images/exif-samples/jpg/orientation/landscape_7.jpg": Accepted(
        "image/jpeg", "image", 450, 600
    ),
    "images/exif-samples/jpg/orientation/landscape_8.jpg": Accepted(
        "image/jpeg", "image", 450, 600
    ),
    "images/exif-samples/jpg/orientation/portrait_1.jpg": Accepted("image/jpeg", "image", 450, 600),
    "images/exif-samples/jpg/orientation/portrait_2.jpg": Accepted("image/jpeg", "image", 450, 600),
    "images/exif-samples/jpg/orientation/portrait_3.jpg": Accepted("image/jpeg", "image", 450, 600),
    "images/exif-samples/jpg/orientation/portrait_4.jpg": Accepted("image/jpeg", "image", 450, 600),
    "images/exif-samples/jpg/orientation/portrait_5.jpg": Accepted("image/jpeg", "image", 600, 450),
    "images/exif-samples/jpg/orientation/portrait_6.jpg": Accepted("image/jpeg", "image", 600, 450),
    "images/exif-samples/jpg/orientation/portrait_7.jpg": Accepted("image/jpeg", "image", 600, 450),
    "images/exif-samples/jpg/orientation/portrait_8.jpg": Accepted("image/jpeg", "image", 600, 450),
    "images/exif-samples/jpg/tests/11-tests.jpg": Accepted("image/jpeg", "image", 1136, 775),
    "images/exif-samples/jpg/tests/22-canon_tags.jpg": Accepted("image/jpeg", "image", 1600, 1200),
    "images/exif-samples/jpg/tests/28-hex_value.jpg": Accepted("image/jpeg", "image", 1704, 2272),
    "images/exif-samples/jpg/tests/30-type_error.jpg": Accepted("image/jpeg", "image", 3872, 2403),
    "images/exif-samples/jpg/tests/32-lens_data.jpeg": Accepted("image/jpeg", "image", 200, 133),
    "images/exif-samples/jpg/tests/33-type_error.jpg": Accepted("image/jpeg", "image", 2560, 1600),
    "images/exif-samples/jpg/tests/35-empty.jpg": Accepted("image/jpeg", "image", 2164, 1626),
    "images/exif-samples/jpg/tests/36-memory_error.jpg": Accepted(
        "image/jpeg", "image", 1600, 1200
    ),
    "images/exif-samples/jpg/tests/42_IndexError.jpg": Accepted("image/jpeg", "image", 4032, 3024),
    "images/exif-samples/jpg/tests/45-gps_ifd.jpg": Accepted("image/jpeg", "image", 1600, 900),
    "images/exif-samples/jpg/tests/67-0_length_string.jpg": Accepted(
        "image/jpeg", "image", 4032, 2012
    ),
    "images/exif-samples/jpg/tests/87_OSError.jpg": Accepted("image/jpeg", "image", 1488, 2240),
    "images/exif-samples/jpg/xmp/BlueSquare.jpg": Accepted("image/jpeg", "image", 360, 216),
    "images/exif-samples/jpg/xmp/no_exif.jpg": Accepted("image/jpeg", "image", 322, 466),
    # --- images/exif-samples/tiff ---
    "images/exif-samples/tiff/Arbitro.tiff": Accepted("image/tiff", "image", 174, 38),
    "images/exif-samples/tiff/BSG1.tiff": Accepted("image/tiff", "image", 635, 348),
    "images/exif-samples/tiff/DudleyLeavittUtah.tiff": Accepted("image/tiff", "image", 196, 257),
    "images/exif-samples/tiff/Jobagent.tiff": Accepted("image/tiff", "image", 264, 84),
    "images/exif-samples/tiff/Picoawards.tiff": Accepted("image/tiff", "image", 436, 547),
    "images/exif-samples/tiff/Rudless.tiff": Accepted("image/tiff", "image", 734, 328),
    "images/exif-samples/tiff/Tless0.tiff": Accepted("image/tiff", "image", 643, 448),
    # --- images/pngsuite/png ---
    "images/pngsuite/png/basi0g01.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi0g02.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi3p01.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi3p02.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi4a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi4a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi6a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basi6a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn0g01.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn0g02.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn3p01.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn3p02.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn4a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn4a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn6a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/basn6a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bgai4a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bgai4a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bgan6a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bgan6a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bgbn4a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bggn4a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bgwn6a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/bgyn6a16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ccwn2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ccwn3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cdfn2c08.png": Accepted("image/png", "image", 8, 32),
    "images/pngsuite/png/cdhn2c08.png": Accepted("image/png", "image", 32, 8),
    "images/pngsuite/png/cdsn2c08.png": Accepted("image/png", "image", 8, 8),
    "images/pngsuite/png/cdun2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ch1n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ch2n3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cm0n0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cm7n0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cm9n0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cs3n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cs3n3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cs5n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cs5n3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cs8n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cs8n3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ct0n0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ct1n0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cten0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ctfn0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ctgn0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/cthn0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ctjn0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ctzn0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/exif2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f00n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f00n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f01n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f01n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f02n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f02n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f03n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f03n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f04n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f04n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/f99n0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g03n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g03n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g03n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g04n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g04n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g04n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g05n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g05n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g05n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g07n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g07n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g07n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g10n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g10n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g10n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g25n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g25n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/g25n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi1n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi1n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi2n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi2n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi4n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi4n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi9n0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/oi9n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/pp0n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/pp0n6a08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ps1n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ps1n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ps2n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/ps2n2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/s01i3p01.png": Accepted("image/png", "image", 1, 1),
    "images/pngsuite/png/s01n3p01.png": Accepted("image/png", "image", 1, 1),
    "images/pngsuite/png/s02i3p01.png": Accepted("image/png", "image", 2, 2),
    "images/pngsuite/png/s02n3p01.png": Accepted("image/png", "image", 2, 2),
    "images/pngsuite/png/s03i3p01.png": Accepted("image/png", "image", 3, 3),
    "images/pngsuite/png/s03n3p01.png": Accepted("image/png", "image", 3, 3),
    "images/pngsuite/png/s04i3p01.png": Accepted("image/png", "image", 4, 4),
    "images/pngsuite/png/s04n3p01.png": Accepted("image/png", "image", 4, 4),
    "images/pngsuite/png/s05i3p02.png": Accepted("image/png", "image", 5, 5),
    "images/pngsuite/png/s05n3p02.png": Accepted("image/png", "image", 5, 5),
    "images/pngsuite/png/s06i3p02.png": Accepted("image/png", "image", 6, 6),
    "images/pngsuite/png/s06n3p02.png": Accepted("image/png", "image", 6, 6),
    "images/pngsuite/png/s07i3p02.png": Accepted("image/png", "image", 7, 7),
    "images/pngsuite/png/s07n3p02.png": Accepted("image/png", "image", 7, 7),
    "images/pngsuite/png/s08i3p02.png": Accepted("image/png", "image", 8, 8),
    "images/pngsuite/png/s08n3p02.png": Accepted("image/png", "image", 8, 8),
    "images/pngsuite/png/s09i3p02.png": Accepted("image/png", "image", 9, 9),
    "images/pngsuite/png/s09n3p02.png": Accepted("image/png", "image", 9, 9),
    "images/pngsuite/png/s32i3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/s32n3p04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/s33i3p04.png": Accepted("image/png", "image", 33, 33),
    "images/pngsuite/png/s33n3p04.png": Accepted("image/png", "image", 33, 33),
    "images/pngsuite/png/s34i3p04.png": Accepted("image/png", "image", 34, 34),
    "images/pngsuite/png/s34n3p04.png": Accepted("image/png", "image", 34, 34),
    "images/pngsuite/png/s35i3p04.png": Accepted("image/png", "image", 35, 35),
    "images/pngsuite/png/s35n3p04.png": Accepted("image/png", "image", 35, 35),
    "images/pngsuite/png/s36i3p04.png": Accepted("image/png", "image", 36, 36),
    "images/pngsuite/png/s36n3p04.png": Accepted("image/png", "image", 36, 36),
    "images/pngsuite/png/s37i3p04.png": Accepted("image/png", "image", 37, 37),
    "images/pngsuite/png/s37n3p04.png": Accepted("image/png", "image", 37, 37),
    "images/pngsuite/png/s38i3p04.png": Accepted("image/png", "image", 38, 38),
    "images/pngsuite/png/s38n3p04.png": Accepted("image/png", "image", 38, 38),
    "images/pngsuite/png/s39i3p04.png": Accepted("image/png", "image", 39, 39),
    "images/pngsuite/png/s39n3p04.png": Accepted("image/png", "image", 39, 39),
    "images/pngsuite/png/s40i3p04.png": Accepted("image/png", "image", 40, 40),
    "images/pngsuite/png/s40n3p04.png": Accepted("image/png", "image", 40, 40),
    "images/pngsuite/png/tbbn0g04.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbbn2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbbn3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbgn2c16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbgn3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbrn2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbwn0g16.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbwn3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tbyn3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tm3n3p02.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tp0n0g08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tp0n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tp0n3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/tp1n3p08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/xc1n0g08.png": CORRUPT,
    "images/pngsuite/png/xc9n2c08.png": CORRUPT,
    "images/pngsuite/png/xcrn0g04.png": CORRUPT,
    "images/pngsuite/png/xcsn0g01.png": CORRUPT,
    "images/pngsuite/png/xd0n2c08.png": CORRUPT,
    "images/pngsuite/png/xd3n2c08.png": CORRUPT,
    "images/pngsuite/png/xd9n2c08.png": CORRUPT,
    "images/pngsuite/png/xdtn0g01.png": CORRUPT,
    "images/pngsuite/png/xhdn0g08.png": CORRUPT,
    "images/pngsuite/png/xlfn0g04.png": CORRUPT,
    "images/pngsuite/png/xs1n0g01.png": CORRUPT,
    "images/pngsuite/png/xs2n0g01.png": CORRUPT,
    "images/pngsuite/png/xs4n0g01.png": CORRUPT,
    "images/pngsuite/png/xs7n0g01.png": CORRUPT,
    "images/pngsuite/png/z00n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/z03n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/z06n2c08.png": Accepted("image/png", "image", 32, 32),
    "images/pngsuite/png/z09n2c08.png": Accepted("image/png", "image", 32, 32),
    # --- pdf ---
    "pdf/001-trivial/minimal-document.pdf": Accepted("application/pdf", "document"),
    "pdf/002-trivial-libre-office-writer/002-trivial-libre-office-writer.pdf": Accepted(
        "application/pdf", "document"
    ),
    "pdf/002-trivial-libre-office-writer/source.odt": Accepted(
        "application/vnd.oasis.opendocument.text", "document"
    ),
    "pdf/003-pdflatex-image/image.jpg": Accepted("image/jpeg", "image", 300, 200),
    "pdf/003-pdflatex-image/page-0-Im1.jpg": Accepted("image/jpeg", "image", 300, 200),
    "pdf/003-pdflatex-image/pdflatex-image.pdf": Accepted("application/pdf", "document"),
    "pdf/004-pdflatex-4-pages/pdflatex-4-pages.pdf": Accepted("application/pdf", "document"),
    "pdf/005-libreoffice-writer-password/libreoffice-writer-password.pdf": Accepted(
        "application/pdf", "document"
    ),
    "pdf/005-libreoffice-writer-password/source.odt": Accepted(
        "application/vnd.oasis.opendocument.text", "document"
    ),
    "pdf/006-pdflatex-outline/pdflatex-outline.pdf": Accepted("application/pdf", "document"),
    "pdf/007-imagemagick-images/imagemagick-ASCII85Decode.pdf": Accepted(
        "application/pdf", "document"
    ),
    "pdf/007-imagemagick-images/imagemagick-CCITTFaxDecode.pdf": Accepted(
        "application/pdf", "document"
    ),
    "pdf/007-imagemagick-images/imagemagick-images.pdf": Accepted("application/pdf", "document"),
    "pdf/007-imagemagick-images/imagemagick-lzw.pdf": Accepted("application/pdf", "document"),
    "pdf/007-imagemagick-images/smile-deflate.tiff": Accepted("image/tiff", "image", 16, 16),
    "pdf/007-imagemagick-images/smile-lzw.tiff": Accepted("image/tiff", "image", 16, 16),
    "pdf/007-imagemagick-images/smile-pack-bits.tiff": Accepted("image/tiff", "image", 16, 16),
    "pdf/007-imagemagick-images/smile.jpg": Accepted("image/jpeg", "image", 16, 16),
    "pdf/007-imagemagick-images/smile.png": Accepted("image/png", "image", 16, 16),
    "pdf/007-imagemagick-images/smile.tiff": Accepted("image/tiff", "image", 16, 16),
    "pdf/008-reportlab-inline-image/inline-image.pdf": Accepted("application/pdf", "document"),
    "pdf/008-reportlab-inline-image/smile.png": Accepted("image/png", "image", 16, 16),
    "pdf/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf": Accepted("application/pdf", "document"),
    "pdf/009-pdflatex-geotopo/page-23-Im2.png": Accepted("image/png", "image", 1024, 1024),
    "pdf/010-pdflatex-forms/pdflatex-forms.pdf": Accepted("application/pdf", "document"),
    "pdf/011-google-doc-document/google-doc-document.pdf": Accepted("application/pdf", "document"),
    "pdf/012-libreoffice-form/libreoffice-form.odt": Accepted(
        "application/vnd.oasis.opendocument.text", "document"
    ),
    "pdf/012-libreoffice-form/libreoffice-form.pdf": Accepted("application/pdf", "document"),
    "pdf/013-reportlab-overlay/reportlab-overlay.pdf": Accepted("application/pdf", "document"),
    "pdf/014-outlines/mistitled_outlines_example.pdf": Accepted("application/pdf", "document"),
    "pdf/015-arabic/habibi-oneline-cmap.pdf": Accepted("application/pdf", "document"),
    "pdf/015-arabic/habibi-rotated.pdf": Accepted("application/pdf", "document"),
    "pdf/015-arabic/habibi.html": NOT_ALLOWED,
    "pdf/015-arabic/habibi.pdf": Accepted("application/pdf", "document"),
    "pdf/016-libre-office-link/libre-office-link.pdf": Accepted("application/pdf", "document"),
    "pdf/017-unreadable-meta-data/unreadablemetadata.pdf": Accepted("application/pdf", "document"),
    "pdf/018-base64-image/base64image.pdf": Accepted("application/pdf", "document"),
    "pdf/018-base64-image/page-0-QuickPDFImd32aa1ab.png": Accepted("image/png", "image", 781, 627),
    "pdf/019-grayscale-image/grayscale-image.pdf": Accepted("application/pdf", "document"),
    "pdf/019-grayscale-image/page-0-X0.png": Accepted("image/png", "image", 324, 450),
    "pdf/020-xmp/output_with_metadata_pymupdf.pdf": Accepted("application/pdf", "document"),
    "pdf/020-xmp/requirements.in": Accepted("text/plain", "text"),
    "pdf/020-xmp/requirements.txt": Accepted("text/plain", "text"),
    "pdf/021-pdfa/crazyones-pdfa.pdf": Accepted("application/pdf", "document"),
    "pdf/022-pdfkit/pdfkit.pdf": Accepted("application/pdf", "document"),
    "pdf/023-cmyk-image/cmyk-image.pdf": Accepted("application/pdf", "document"),
    "pdf/024-annotations/annotated_pdf.pdf": Accepted("application/pdf", "document"),
    "pdf/025-attachment/image.png": Accepted("image/png", "image", 320, 223),
    "pdf/025-attachment/with-attachment.pdf": Accepted("application/pdf", "document"),
    "pdf/026-latex-multicolumn/multicolumn.pdf": Accepted("application/pdf", "document"),
}
