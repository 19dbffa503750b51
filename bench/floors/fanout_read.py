# SPDX-License-Identifier: MIT
"""Floor for Get-VirtioFsShare -ConnectionUri a,b,c: the same reads through libvirt's C API, one thread per host.

A worker the benchmark keeps running: stdin, one JSON object per line: first {"prefix": "vfsb-..."}, then
{"uris": [...]} per call; stdout, one line per call: {"seconds": <wall time of the call>, "shares": [n per uri]}.

Per host, in a thread of its own (python3-libvirt lets go of the interpreter lock while libvirt works): open a
connection (the ssh login included, as for the module, which opens one per call), list all domains, and for each
whose name starts with the prefix read its persistent definition (XMLDesc INACTIVE|SECURE), parse it with
ElementTree and count its virtio-fs filesystems; close. The call's time is the wall time until every host is done.
"""
import json
import sys
import threading
import time
import xml.etree.ElementTree as ET

import libvirt


def read_host(uri, prefix, counts, index, errors):
    try:
        conn = libvirt.open(uri)
        try:
            n = 0
            for dom in conn.listAllDomains():
                if not dom.name().startswith(prefix):
                    continue
                root = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE))
                n += sum(1 for fs in root.findall("devices/filesystem")
                         if fs.find("driver") is not None and fs.find("driver").get("type") == "virtiofs")
            counts[index] = n
        finally:
            conn.close()
    except Exception as e:  # reported to the benchmark, which fails the run
        errors.append("%s: %s" % (uri, e))


def main():
    config = json.loads(sys.stdin.readline())
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    for line in sys.stdin:
        uris = json.loads(line)["uris"]
        counts = [0] * len(uris)
        errors = []
        threads = [threading.Thread(target=read_host, args=(u, config["prefix"], counts, i, errors)) for i, u in enumerate(uris)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - start
        if errors:
            raise SystemExit("; ".join(errors))
        print(json.dumps({"seconds": seconds, "shares": counts}), flush=True)


if __name__ == "__main__":
    main()
