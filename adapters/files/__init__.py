"""Files of dialogs: uploads sniffed against an allowlist, thumbnails, content-addressed
bytes under the data directory and metadata through peewee (``docs/protocol.md``, "Files")."""

from frontdesk.adapters.files.errors import FileRefused as FileRefused
from frontdesk.adapters.files.gallery import Gallery as Gallery
from frontdesk.adapters.files.gallery import GalleryItem as GalleryItem
from frontdesk.adapters.files.limits import FileLimits as FileLimits
from frontdesk.adapters.files.names import header_name as header_name
from frontdesk.adapters.files.names import safe_name as safe_name
from frontdesk.adapters.files.store import FileStore as FileStore
from frontdesk.adapters.files.store import StoredFile as StoredFile
