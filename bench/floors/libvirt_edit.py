# SPDX-License-Identifier: MIT
"""Floor for New-VirtioFsShare -Domain: the same job through libvirt's C API (python3-libvirt).

stdin: JSON {"uri": "qemu:///system", "names": [...], "tag": "data", "source": "/dir"}
stdout: JSON {"seconds": <the loop alone>, "count": n}

One connection, opened before the timing. Per domain: virDomainLookupByName,
virDomainGetXMLDesc(INACTIVE|SECURE) (the persistent definition with its secrets, as the module
reads it), parse and edit with ElementTree (share_edit.edit), virDomainDefineXMLFlags(VALIDATE)
(libvirt checks it against its schema, as the module asks). The interpreter's start-up, the import
and the connection are outside the timing.
"""
import json
import os
import sys
import time

import libvirt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import share_edit  # noqa: E402


def main():
    job = json.load(sys.stdin)
    # libvirt prints every error to stderr by default; a failure raises libvirtError anyway.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(job["uri"])
    try:
        flags = libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE
        start = time.perf_counter()
        for name in job["names"]:
            dom = conn.lookupByName(name)
            xml = dom.XMLDesc(flags)
            conn.defineXMLFlags(share_edit.edit(xml, job["tag"], job["source"]), libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
        seconds = time.perf_counter() - start
    finally:
        conn.close()
    json.dump({"seconds": seconds, "count": len(job["names"])}, sys.stdout)


if __name__ == "__main__":
    main()
