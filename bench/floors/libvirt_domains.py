# SPDX-License-Identifier: MIT
"""Set-up for the libvirt benchmarks, never timed: define, check and undefine the bench's domains.

stdin: JSON {"uri": ..., "action": "define", "xml": [...]}
            {"uri": ..., "action": "check", "names": [...], "tag": ..., "source": ...}
            {"uri": ..., "action": "undefine", "prefix": "vfsb-..."}
stdout: JSON; check returns {"ok": n, "bad": [names]}, undefine {"undefined": n}.
"""
import json
import sys
import xml.etree.ElementTree as ET

import libvirt


def main():
    job = json.load(sys.stdin)
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(job["uri"])
    try:
        action = job["action"]
        if action == "define":
            for xml in job["xml"]:
                conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
            result = {"defined": len(job["xml"])}
        elif action == "check":
            bad = []
            for name in job["names"]:
                root = ET.fromstring(conn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
                shares = [fs for fs in root.findall("devices/filesystem")
                          if fs.find("driver") is not None and fs.find("driver").get("type") == "virtiofs"
                          and fs.find("target") is not None and fs.find("target").get("dir") == job["tag"]
                          and fs.find("source") is not None and fs.find("source").get("dir") == job["source"]]
                access = root.find("memoryBacking/access")
                if len(shares) != 1 or access is None or access.get("mode") != "shared":
                    bad.append(name)
            result = {"ok": len(job["names"]) - len(bad), "bad": bad}
        elif action == "undefine":
            # Only this run's domains, by their prefix; they were never started.
            n = 0
            for dom in conn.listAllDomains():
                if dom.name().startswith(job["prefix"]):
                    if dom.isActive():
                        dom.destroy()
                    dom.undefine()
                    n += 1
            result = {"undefined": n}
        else:
            raise SystemExit("unknown action %r" % action)
    finally:
        conn.close()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
