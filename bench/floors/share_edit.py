# SPDX-License-Identifier: MIT
"""The edit New-VirtioFsShare makes, done as plainly as Python can, for the benchmarks' floors.

Parses the domain XML with a real XML parser (ElementTree, i.e. expat), refuses a tag that is
already there, adds <filesystem type='mount' accessmode='passthrough'> with driver virtiofs, the
source directory and the target tag, and makes the memory shareable the way the module's
-SharedMemory Auto does: hugepages and file backing stay, anything else becomes memfd; access
mode shared; every NUMA cell memAccess='shared'. Nothing is validated beyond what the edit needs.
"""
import xml.etree.ElementTree as ET

# q35-full.xml carries qemu:commandline: keep its prefix instead of ElementTree's ns0.
ET.register_namespace("qemu", "http://libvirt.org/schemas/domain/qemu/1.0")

# libvirt's order of the top-level elements before <memoryBacking>, to put a new one where libvirt would.
_BEFORE_MEMORY_BACKING = ("name", "uuid", "genid", "title", "description", "metadata", "maxMemory",
                          "memory", "currentMemory", "blkiotune", "memtune")
_MEMORY_BACKING_ORDER = ("hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard")
_DEVICES_BEFORE_FILESYSTEM = ("emulator", "disk", "controller", "lease")


def _insert_ordered(parent, child, order):
    rank = order.index(child.tag)
    at = 0
    for i, existing in enumerate(parent):
        if existing.tag in order and order.index(existing.tag) <= rank:
            at = i + 1
    parent.insert(at, child)


def edit(xml_text, tag, source):
    """Returns the edited document as text; the prolog (libvirt's header comment) is kept as it was."""
    start = xml_text.find("<domain")
    prolog = xml_text[:start] if start > 0 else ""
    root = ET.fromstring(xml_text)
    devices = root.find("devices")
    if devices is None:
        devices = ET.SubElement(root, "devices")
    for fs in devices.findall("filesystem"):
        target = fs.find("target")
        if target is not None and target.get("dir") == tag:
            raise ValueError(f"tag {tag!r} exists")

    fs = ET.Element("filesystem", {"type": "mount", "accessmode": "passthrough"})
    ET.SubElement(fs, "driver", {"type": "virtiofs"})
    ET.SubElement(fs, "source", {"dir": source})
    ET.SubElement(fs, "target", {"dir": tag})
    children = list(devices)
    at = 0
    for i, e in enumerate(children):
        if e.tag == "filesystem" or e.tag in _DEVICES_BEFORE_FILESYSTEM:
            at = i + 1
    devices.insert(at, fs)

    mb = root.find("memoryBacking")
    if mb is None:
        mb = ET.Element("memoryBacking")
        at = 0
        for i, e in enumerate(list(root)):
            if e.tag in _BEFORE_MEMORY_BACKING:
                at = i + 1
        root.insert(at, mb)
    if mb.find("hugepages") is None:
        src = mb.find("source")
        if src is None:
            _insert_ordered(mb, ET.Element("source", {"type": "memfd"}), _MEMORY_BACKING_ORDER)
        elif src.get("type") != "file":
            src.set("type", "memfd")
    access = mb.find("access")
    if access is None:
        _insert_ordered(mb, ET.Element("access", {"mode": "shared"}), _MEMORY_BACKING_ORDER)
    else:
        access.set("mode", "shared")
    numa = root.find("cpu/numa")
    if numa is not None:
        for cell in numa.findall("cell"):
            cell.set("memAccess", "shared")
    return prolog + ET.tostring(root, encoding="unicode")
