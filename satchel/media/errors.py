"""What the media engines raise: SatchelErrors with stable codes, so callers pass them on.

MediaError (422)             tool_failed (an engine could not do what was asked)
├── ImageDecodeError         tool_failed
├── ImageEncodeError         tool_failed
├── ImageTooLarge            tool_input_too_large (the input, all frames counted, exceeds
│                            the decode budget; checked on the header, before decoding)
├── ResultTooLarge           tool_result_too_large
├── InvalidDimensions        tool_invalid_dimensions
├── TextInvalid              tool_text_invalid
├── MetadataError            tool_input_corrupt, tool_metadata_too_large
├── OutOfRange               tool_page_out_of_range, tool_frame_out_of_range
├── UrlRefused               url_not_allowed, url_unresolvable, url_unreachable
├── CaptureFailed            capture_failed, capture_timeout
└── PdfError                 pdf_unreadable
    ├── PdfEncrypted         pdf_encrypted
    ├── PdfTooManyPages      pdf_too_many_pages
    └── PdfPageTooSmall      pdf_page_too_small

The codes are the ones the tool API has always answered for these cases (the engines
started inside the tools), so clients see no change. The tool runner passes SatchelErrors
through untouched; asset processing turns them into its own failure with the message.
"""

from __future__ import annotations

from satchel.codes import Code
from satchel.errors import Invalid


class MediaError(Invalid):
    """An engine could not do what was asked with this input (422)."""

    code = Code.TOOL_FAILED
    reason: str = ""  # the library's own short account, when there is one

    def __init__(self, message: str, *, code: str | None = None, reason: str = "") -> None:
        super().__init__(message, code=code)
        self.reason = reason


class ImageDecodeError(MediaError):
    code = Code.TOOL_FAILED

    @classmethod
    def of(cls, name: str | None, exc: BaseException) -> ImageDecodeError:
        """`name could not be decoded: <the library's reason>`."""
        reason = first_line(exc)
        return cls(f"{name or 'The image'} could not be decoded: {reason}", reason=reason)


class ImageEncodeError(MediaError):
    code = Code.TOOL_FAILED


class ImageTooLarge(MediaError):
    code = Code.TOOL_INPUT_TOO_LARGE


class ResultTooLarge(MediaError):
    code = Code.TOOL_RESULT_TOO_LARGE


class InvalidDimensions(MediaError):
    code = Code.TOOL_INVALID_DIMENSIONS


class TextInvalid(MediaError):
    code = Code.TOOL_TEXT_INVALID


class MetadataError(MediaError):
    code = Code.TOOL_INPUT_CORRUPT


class OutOfRange(MediaError):
    code = Code.TOOL_PAGE_OUT_OF_RANGE


class UrlRefused(MediaError):
    code = Code.URL_NOT_ALLOWED


class CaptureFailed(MediaError):
    code = Code.CAPTURE_FAILED


class PdfError(MediaError):
    code = Code.PDF_UNREADABLE


class PdfEncrypted(PdfError):
    code = Code.PDF_ENCRYPTED


class PdfTooManyPages(PdfError):
    code = Code.PDF_TOO_MANY_PAGES


class PdfPageTooSmall(PdfError):
    code = Code.PDF_PAGE_TOO_SMALL


def first_line(exc: BaseException) -> str:
    """The last non-empty line of a library's message (libvips puts the cause last)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
