// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using VirtioFs.Domain;

namespace VirtioFs.Doctor;

/// <summary>
/// How a share is named among the domain's devices: its boot order and its alias. libvirt refuses,
/// at define, a per-device boot order next to &lt;os&gt;&lt;boot dev&gt;, a boot order or alias used twice,
/// and silently drops an alias without the ua- prefix (seen on libvirt 9.0).
/// </summary>
internal static class DeviceIdentityChecks
{
    public static void Run(DomainDocument doc, XElement fs, VirtioFsShare share, CheckList list, string target)
    {
        BootOrder(doc, fs, share, list, target);
        Alias(doc, fs, share, list, target);
    }

    private static void BootOrder(DomainDocument doc, XElement fs, VirtioFsShare share, CheckList list, string target)
    {
        if (share.BootOrder is not int order)
        {
            return;
        }
        string evidence = $"<boot order='{order}'>";
        if (doc.Root.Element("os")?.Element("boot") is { } osBoot)
        {
            list.Fail("BootOrder", "The share has a boot order but the domain boots by <os><boot dev>: libvirt refuses the definition (\"per-device boot elements cannot be used together with os/boot elements\").",
                $"Set-VirtioFsShare -Tag '{share.Tag}' -Reset BootOrder, or remove <os><boot dev='{(string?)osBoot.Attribute("dev")}'/> and give every boot device an order.", evidence, target);
            return;
        }
        var other = doc.Devices?.Descendants("boot")
            .FirstOrDefault(b => !b.Ancestors().Contains(fs) && MemoryUnits.ParseInt((string?)b.Attribute("order")) == order);
        if (other is not null)
        {
            list.Fail("BootOrder", $"Boot order {order} is also used by a <{other.Parent?.Name.LocalName}> device: libvirt refuses the definition (\"boot order '{order}' used for more than one device\").",
                $"Set-VirtioFsShare -Tag '{share.Tag}' -BootOrder <unused number>.", evidence, target);
            return;
        }
        list.Pass("BootOrder", $"Boot order {order} is the share's own.", evidence, target);
    }

    private static void Alias(DomainDocument doc, XElement fs, VirtioFsShare share, CheckList list, string target)
    {
        if (share.Alias is not { } alias)
        {
            return;
        }
        string evidence = $"<alias name='{alias}'>";
        int others = doc.Devices?.Descendants("alias")
            .Count(a => (string?)a.Attribute("name") == alias && !a.Ancestors().Contains(fs)) ?? 0;
        if (others > 0)
        {
            list.Fail("Alias", $"The alias '{alias}' is used by another device too: libvirt refuses the definition (\"non unique alias detected: {alias}\").",
                $"Set-VirtioFsShare -Tag '{share.Tag}' -Alias ua-<unique name>, or -Reset Alias.", evidence, target);
        }
        else if (!ShareValidator.IsUserAlias(alias))
        {
            list.Warn("Alias", $"The alias '{alias}' does not start with 'ua-': libvirt drops it from the definition, so nothing can find the device by it.",
                $"Set-VirtioFsShare -Tag '{share.Tag}' -Alias ua-{Regex.Replace(alias, "[^A-Za-z0-9_-]", "-")}.", evidence, target);
        }
        else
        {
            list.Pass("Alias", $"The alias '{alias}' is a unique user alias.", evidence, target);
        }
    }
}
