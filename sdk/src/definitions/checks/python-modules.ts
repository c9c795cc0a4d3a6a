/**
 * The top-level modules Python code can import on Keptn's stock python-runtime image (keptn/
 * lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384, runtimes/python-runtime/
 * Dockerfile: `python:3.13.0-alpine`, then `pip install pyyaml GitPython requests`): the standard
 * library (`sys.stdlib_module_names` of Python 3.11, less the modules PEP 594 removed in 3.13)
 * and those packages with their dependencies.
 */

const STANDARD_LIBRARY = `
__future__ _abc _aix_support _ast _asyncio _bisect _blake2 _bootsubprocess _bz2 _codecs
_codecs_cn _codecs_hk _codecs_iso2022 _codecs_jp _codecs_kr _codecs_tw _collections
_collections_abc _compat_pickle _compression _contextvars _crypt _csv _ctypes _curses
_curses_panel _datetime _dbm _decimal _elementtree _frozen_importlib _frozen_importlib_external
_functools _gdbm _hashlib _heapq _imp _io _json _locale _lsprof _lzma _markupbase _md5 _msi
_multibytecodec _multiprocessing _opcode _operator _osx_support _overlapped _pickle _posixshmem
_posixsubprocess _py_abc _pydecimal _pyio _queue _random _scproxy _sha1 _sha256 _sha3 _sha512
_signal _sitebuiltins _socket _sqlite3 _sre _ssl _stat _statistics _string _strptime _struct
_symtable _thread _threading_local _tkinter _tokenize _tracemalloc _typing _uuid _warnings
_weakref _weakrefset _winapi _zoneinfo abc antigravity argparse array ast asynchat asyncio
asyncore atexit base64 bdb binascii bisect builtins bz2 cProfile calendar cmath cmd code codecs
codeop collections colorsys compileall concurrent configparser contextlib contextvars copy
copyreg csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils doctest email
encodings ensurepip enum errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib
functools gc genericpath getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac html
http idlelib imaplib imp importlib inspect io ipaddress itertools json keyword linecache locale
logging lzma mailbox marshal math mimetypes mmap modulefinder msvcrt multiprocessing netrc nt
ntpath nturl2path numbers opcode operator optparse os pathlib pdb pickle pickletools pkgutil
platform plistlib poplib posix posixpath pprint profile pstats pty pwd py_compile pyclbr pydoc
pydoc_data pyexpat queue quopri random re readline reprlib resource rlcompleter runpy sched
secrets select selectors shelve shlex shutil signal site smtpd smtplib socket socketserver
sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string stringprep struct
subprocess symtable sys sysconfig syslog tabnanny tarfile tempfile termios textwrap this
threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty turtle
turtledemo types typing unicodedata unittest urllib uuid venv warnings wave weakref webbrowser
winreg winsound wsgiref xml xmlrpc zipapp zipfile zipimport zlib zoneinfo
`;

/** pyyaml, GitPython (gitdb, smmap), requests (urllib3, idna, charset_normalizer, certifi), pip. */
const INSTALLED = "yaml git gitdb smmap requests urllib3 idna charset_normalizer certifi pip";

/** Every top-level module name the stock image can import. */
export const STOCK_PYTHON_MODULES: ReadonlySet<string> = new Set(
  `${STANDARD_LIBRARY} ${INSTALLED}`.split(/\s+/).filter((name) => name !== ""),
);
