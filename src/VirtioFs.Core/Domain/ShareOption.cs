// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// One virtio-fs option, declared once: its parameter and property name, where it sits in the XML,
/// the libvirt release that brought it, the daemon dialects that honour it, whether it only
/// configures the virtiofsd libvirt starts (so it means nothing with &lt;source socket&gt;), whether
/// -Reset may remove it, the rule its value must follow and the rule of the place it is used in (a
/// privileged libvirt, ...). The XML reader and writer, the validator, the doctor, -Reset and the
/// version gates all read this declaration
/// (<see cref="ShareOptions.All"/>), so adding an option is one entry plus its test.
/// </summary>
internal class ShareOption
{
    /// <summary>libvirt 6.2.0, the first with virtio-fs: the version of options as old as virtio-fs itself.</summary>
    public static readonly Version VirtioFsSince = new(6, 2, 0);

    private readonly Func<ShareSettings, object?> _asked;
    private readonly Action<ShareSettings, object?> _setAsked;
    private readonly Func<VirtioFsShare, object?> _value;
    private readonly Action<VirtioFsShare, object?> _setValue;

    public ShareOption(string name, XmlSlot slot,
        Func<ShareSettings, object?> asked, Action<ShareSettings, object?> setAsked,
        Func<VirtioFsShare, object?> value, Action<VirtioFsShare, object?> setValue)
    {
        Name = name;
        Slot = slot;
        _asked = asked;
        _setAsked = setAsked;
        _value = value;
        _setValue = setValue;
    }

    /// <summary>The parameter of New-/Set-VirtioFsShare, the property of ShareSettings and VirtioFsShare, and the -Reset value.</summary>
    public string Name { get; }

    public XmlSlot Slot { get; }

    /// <summary>How the option looks in the XML, for messages: <c>&lt;cache mode&gt;</c>, <c>&lt;thread_pool&gt;</c>.</summary>
    public string Xml { get; init; } = string.Empty;

    /// <summary><see cref="Xml"/>, or the slot when no shorter name was given.</summary>
    public string XmlName => Xml.Length > 0 ? Xml : Slot.ToString();

    /// <summary>The libvirt release whose schema and driver first accept it (NEWS, formatdomain); checked against real libvirt.</summary>
    public Version LibvirtSince { get; init; } = VirtioFsSince;

    /// <summary>Configures the virtiofsd libvirt starts; with &lt;source socket&gt; you run the daemon and libvirt ignores it.</summary>
    public bool DaemonOnly { get; init; }

    /// <summary>Set-VirtioFsShare -Reset may remove it, so libvirt's default applies again.</summary>
    public bool Resettable { get; init; } = true;

    /// <summary>The daemon dialects that accept what libvirt passes for it.</summary>
    public DaemonDialects Dialects { get; init; } = DaemonDialects.Both;

    /// <summary>The error id when the virtiofsd libvirt would run does not honour it.</summary>
    public string? DialectErrorId { get; init; }

    /// <summary>Kept when a share is copied to another domain (an alias names a device of one domain only).</summary>
    public bool Copied { get; init; } = true;

    /// <summary>Writes the value as XML text.</summary>
    public Func<object, string> Format { get; init; } = v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!;

    /// <summary>Reads the XML text; null when absent or not understood.</summary>
    public Func<string?, object?> Parse { get; init; } = s => s;

    /// <summary>What is wrong with a value, or null; the validator throws it and the doctor reports it.</summary>
    public Func<object, OptionProblem?> Check { get; init; } = _ => null;

    /// <summary>
    /// What is wrong with the option where the share is used (the libvirt it is written for: its version, whom it runs
    /// virtiofsd as), or null; only called when the share uses the option. The validator throws it before anything is
    /// written, and the doctor reports it for domains already defined that way.
    /// </summary>
    public Func<VirtioFsShare, OptionContext, OptionProblem?> ContextRule { get; init; } = (_, _) => null;

    /// <summary>The caller asked for it (New, Set): a value, false for a switch turned off, or a reset.</summary>
    public bool IsAsked(ShareSettings s) => _asked(s) is not null;

    public object? Asked(ShareSettings s) => _asked(s);

    public void SetAsked(ShareSettings s, object? value) => _setAsked(s, value);

    public object? ValueOf(VirtioFsShare share) => _value(share);

    /// <summary>When a value read back means the XML has the option; by default any value, off included.</summary>
    public Func<object?, bool> Present { get; init; } = v => v is not null;

    /// <summary>The share's XML has the option (so libvirt must know it, and the daemon honour it).</summary>
    public virtual bool IsUsed(VirtioFsShare share) => Present(_value(share));

    /// <summary>Fills the option's property from the element.</summary>
    public virtual void Read(XElement fs, VirtioFsShare share)
    {
        XElement? e = fs;
        foreach (var step in Slot.Names)
        {
            e = e?.Element(step);
        }
        _setValue(share, Slot.AttributeName is null ? e is not null : Parse((string?)e?.Attribute(Slot.AttributeName)));
    }

    /// <summary>Writes the asked value, or removes the option when -Reset names it; leaves it alone otherwise.</summary>
    public virtual void Write(XElement fs, ShareSettings s)
    {
        var value = _asked(s);
        if (Slot.Attribute is null)
        {
            WritePresence(fs, value is true, value is false || s.Reset.Contains(Name));
            return;
        }
        if (value is not null)
        {
            var element = fs;
            for (int i = 0; i < Slot.Path.Length; i++)
            {
                element = XmlLayout.GetOrAdd(element, Slot.Path[i], OrderOf(i == 0 ? "filesystem" : Slot.Path[i - 1]));
            }
            element.SetAttributeValue(Slot.Attribute, Format(value));
        }
        else if (s.Reset.Contains(Name))
        {
            Remove(fs);
        }
    }

    /// <summary>Takes the template's value when the caller gave none (a share copied to another domain).</summary>
    public virtual void Inherit(VirtioFsShare template, ShareSettings given)
    {
        if (Copied && _asked(given) is null && IsUsed(template))
        {
            _setAsked(given, _value(template));
        }
    }

    /// <summary>Removes the option, and the elements it leaves empty (never &lt;driver&gt;, which holds the type).</summary>
    public virtual void Remove(XElement fs)
    {
        var chain = new List<XElement>();
        XElement? e = fs;
        foreach (var step in Slot.Path)
        {
            e = e?.Element(step);
            if (e is null)
            {
                return;
            }
            chain.Add(e);
        }
        chain[^1].SetAttributeValue(Slot.Attribute!, null);
        for (int i = chain.Count - 1; i >= 0 && !chain[i].HasAttributes && !chain[i].Elements().Any(); i--)
        {
            XmlLayout.Remove(chain[i]);
        }
    }

    private void WritePresence(XElement fs, bool present, bool absent)
    {
        var existing = fs.Element(Slot.Path[0]);
        if (present && existing is null)
        {
            XmlLayout.GetOrAdd(fs, Slot.Path[0], OrderOf("filesystem"));
        }
        else if (absent && existing is not null)
        {
            XmlLayout.Remove(existing);
        }
    }

    private static IReadOnlyList<string> OrderOf(string parent) => parent switch
    {
        "filesystem" => FilesystemElement.ChildOrder,
        "binary" => FilesystemElement.BinaryOrder,
        _ => Array.Empty<string>(),
    };

    public override string ToString() => Name;
}

