# SPDX-License-Identifier: MIT
"""Floor for New-VirtioFsShare -Domain: the same job through libvirt's C API (python3-libvirt).

A worker the benchmark keeps running, so batches of both sides can alternate in time:
stdin, one JSON object per line: first {"uri": "qemu:///system", "tag": "data", "source": "/dir"},
then {"names": [...]} per batch; stdout, one line per batch: {"seconds": <that batch alone>, "count": n}.

One connection for the worker's life, opened before any timing. Per domain: virDomainLookupByName,
virDomainGetXMLDesc(INACTIVE|SECURE) (the persistent definition with its secrets, as the module
reads it), parse and edit with ElementTree (share_edit.edit), virDomainDefineXMLFlags(VALIDATE)
(libvirt checks it against its schema, as the module asks). The interpreter's start-up, the import,
the connection and reading the request are outside the timing.
"""
import json
import os
import sys
import time

import libvirt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import share_edit  # noqa: E402


def main():
    config = json.loads(sys.stdin.readline())
    # libvirt prints every error to stderr by default; a failure raises libvirtError anyway.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(config["uri"])
    flags = libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE
    try:
        for line in sys.stdin:
            names = json.loads(line)["names"]
            start = time.perf_counter()
            for name in names:
                dom = conn.lookupByName(name)
                xml = dom.XMLDesc(flags)
                conn.defineXMLFlags(share_edit.edit(xml, config["tag"], config["source"]), libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
            seconds = time.perf_counter() - start
            print(json.dumps({"seconds": seconds, "count": len(names)}), flush=True)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
