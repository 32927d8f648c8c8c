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
    └── PdfTooManyPages      pdf_too_many_pages

The codes are the ones the tool API has always answered for these cases (the engines
started inside the tools), so clients see no change. The tool runner passes SatchelErrors
through untouched; asset processing turns them into its own failure with the message.
"""

from __future__ import annotations

from satchel.errors import Invalid


class MediaError(Invalid):
    """An engine could not do what was asked with this input (422)."""

    code = "tool_failed"
    reason: str = ""  # the library's own short account, when there is one

    def __init__(self, message: str, *, code: str | None = None, reason: str = "") -> None:
        super().__init__(message, code=code)
        self.reason = reason


class ImageDecodeError(MediaError):
    code = "tool_failed"

    @classmethod
    def of(cls, name: str | None, exc: BaseException) -> ImageDecodeError:
        """`name could not be decoded: <the library's reason>`."""
        reason = first_line(exc)
        return cls(f"{name or 'The image'} could not be decoded: {reason}", reason=reason)


class ImageEncodeError(MediaError):
    code = "tool_failed"


class ImageTooLarge(MediaError):
    code = "tool_input_too_large"


class ResultTooLarge(MediaError):
    code = "tool_result_too_large"


class InvalidDimensions(MediaError):
    code = "tool_invalid_dimensions"


class TextInvalid(MediaError):
    code = "tool_text_invalid"


class MetadataError(MediaError):
    code = "tool_input_corrupt"


class OutOfRange(MediaError):
    code = "tool_page_out_of_range"


class UrlRefused(MediaError):
    code = "url_not_allowed"


class CaptureFailed(MediaError):
    code = "capture_failed"


class PdfError(MediaError):
    code = "pdf_unreadable"


class PdfEncrypted(PdfError):
    code = "pdf_encrypted"


class PdfTooManyPages(PdfError):
    code = "pdf_too_many_pages"


def first_line(exc: BaseException) -> str:
    """The last non-empty line of a library's message (libvips puts the cause last)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
