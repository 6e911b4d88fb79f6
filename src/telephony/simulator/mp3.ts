/**
 * Voice-message audio as MP3, the format the service asks Twilio for by
 * default (RECORDING_FORMAT=mp3). CLIP is 2.376 s of the simulator's
 * speech-like signal (generateVoiceWav, seed 7) encoded once with lamejs
 * (@breezystack/lamejs 1.2.7, at generation time only; not a dependency):
 * MPEG-2.5 Layer III, 8 kHz mono, 16 kbit/s CBR, 33 frames of 144 bytes, no
 * ID3 or Xing header. Its first frame uses no bit reservoir (main_data_begin
 * 0), so the clip repeated back to back is itself a valid MP3 stream.
 */
export const MP3_CLIP_SECONDS = (33 * 576) / 8000;

const CLIP = Buffer.from(
  "/+MoxAAZYC6hnUMQAIJXahCcAaIVDucDi3ggGChwvg+fUCAJg/KAgD/Eb9YIAh5QEAQB9QIBj4Y4kcoEDniQEAQBBwY/wQ6wfB8H" +
    "4PvwcDGUB8HwfB/DEuCBwuD4OVAhBA5UCYPvlAfB8H/6gQBAEwfB9MQU1FAwAJCAAEAAAAAAAAAAAAAAAAAAAAAAAAAA/+MoxAAg" +
    "Q98CX5I4AqBgMBgMBgMBgMBgMBgC2URZgB/6iXygZCghrgKgS2e0zOWxO5Aibv0NAXDcLCse//F5ciI46wPC///j4UEoCh6CWGTB" +
    "////CECw1PLFSA3FIsFYl////hGXGowD0ShJHg0YwwYNf////B8co8E5gtHxqcPoJzyiEjv/////x7B/kkxB/+MoxAAghCLZv8oY" +
    "AQA5LJJLKAB9DjhWAlARLGtKqxpQRRf6HEwrkpyaXRDZ73sbdFkME/kkYt7m+v7fOZVSy3he14fX1O7aXP7obN+hZ2PCpQsa7Um+" +
    "TLLvz0LJsqCdDkDIOXqSDOZzm7jIac1ueDOaznc3QjOWE1VXpeR3ZIthJN6ZJ11aA00Gqp+pY4tM/+MoxAAf1DrqfjrGieAG5Z2j" +
    "/XcAAsw+sz+g4Dj/9woGl3+vEGsGy6BwMyG38ffNzqu+cVY3P9aREykLkR9xAtwu5ECD3yqXvNGyHEIZ52eHKG846Ov2mSdoTf1z" +
    "7uZHeFzbKU77mvzt/h6/bbfen5k325sMfHPLyjSIWSl8KPSsj1DsIYrfpB7hHyUTEFNA/+MoxAAflDbOVIhG7CABAIndWAWUu2+y" +
    "RiGqwVrL1euo0DRBOpeOpoIX6Eh4lMiSS/zSCwBEAJBUmjxkqjA7lsgDifE4CrCcOTRcljvUMqoP3KESHFuypC/02zT39ci+8JP+" +
    "/POViykbueWZ85XNjr559IvTvb9y6RCmYtCpMfT01wcUjfIEHGrBqlMQU1FA/+MoxAAfvAbRvoLGweAxZG404ABQV9mUuUABMaP+" +
    "pVZPCAI8O7/6iQBolrMP8Q1e41ThFUv50MLaUGoPW9O+5ZJm+R/u4/P8rKZRBy61VCB4tDPt1+mXa006RQrkzlU5T/K1jner95mv" +
    "IRqs800r/56+a/942Slv0zbq+RpT1hEbkDLJMgrGol3ATFKYgpqK/+MoxAAgOpK5aHrGTUAnwrfc1L/O3+6QRdgHJpdbczbzD2EU" +
    "AEjHkZhl3X3ZSt1jZ3ek4Z1wjuQGhHl956aA1cjtRqeCKBMJah7aqReUbOeeQjyrVfnIniW0Yssq/y2Nw0OBR23Yir4Arjxb9rL9" +
    "lWFHvT1M4LEDzUGHgnXz1SEK6VeISBIjRFxRO/+F9JiC/+MoxAAfmoLaXgrGEUrBtLZJZIAB36pLAwlUHbVNzYwA+kjbf+T5hEI/" +
    "SFhL7ED7Ok5wlqGAgmuz0kJ1BOStSSebnfdZCSoR/hjYi5ZOFkWXk8Vlt53zXK07uljGqelBhnO9cL9WzzGN7xy/kzhfv5awnftu" +
    "2LhP0c8Im4rZRHF866riloSp6BeEfImIKaig/+MoxAAfbBLiXgNGEQMBLvbbraABpgWBkMkjY0SiDFD/JIbE3Uuac1ap4k4RiC6w" +
    "ZoGCDkpmtUNGiZyFEvT5Gkhpcy6Z727L1Td/WunvP94rdVS/7SQzNVO5woWJK4J2hcN+pT7D//OZkjep5mfJCXRy9suT7Oz5Hy4e" +
    "+thj50iOwzwTdxe+WJhVQmIKaigA/+MoxAAeg3bIdAwGEXEl1UAb8yJICsHKpNuksxLwc1LbrHSKq3c2FxWtIEMyiEOag7wv32jE" +
    "beh9ov1xcfIqTdIWy58Q6vwtj5Th9NbmZmRebrdbJ4vsfykzvKhHvlNqWy9v03fQ9fIi7yq/S60+5UnPIb8W2ua/pNFrfTZsqXd9" +
    "9/fkviLxTEFNRQMACQgA/+MoxAAfzCbOVAIGEQCVbHJ/eAcHA8C5l9uZgWuuO+aD7WDxzw99GYyNWRbTU9YcN5N847ws0NiTOKpj" +
    "PApEc1O0mlfKkvDLCnxyM5wqWWQMfnDOEWyo0eI9Q/8xocmrfaX3+RyNGnZ7UuG6XtMy9ScsgsZTNJUl0O1VtLI8rN0cjh6pTLML" +
    "NpOI/V0mIKaA/+MoxAAePC6YoBhGgTuRUartYw7jJnYNmsPZJ0aUo3Z1tjXNl66T6DiyGS5UmlG1NeGY6saGpijI72ogaLkpfX8o" +
    "xqzqC4X+LyEHqbpo5anwoazQqRGeMUiucy265WMfJnCzVqrGXZFOtvMvK3Z9ESXKT8kKmQX+IqGdkpVqJy/FxXhE+4aYgpqKBgAS" +
    "EAAI/+MoxAAec8ahkghGARlTllaDrNpoH0ljH8Mq72wjjft1gSgQc2JQsQErmXkiHDMk2BEpdbusd4gJXJ/8/q3LImNWoOQ9oSfF" +
    "QtMzyX6bk7Zx+d2NXyine2RyPK/GzJZMk4f716iaVDUOiobR2djbly2rL8XhcIkHyYzd1NOgadiUIgFMe0OpMQU1FAwAJCAA/+Mo" +
    "xAAerBKiNBhHZQkoralSAPP9sh99DFFTfMHSMN56nxQAHQvC5GVDCWMVftMrqfRCeuXdkM5tWIyOmwyOJVBhQ29aG2GUqrxsxugI" +
    "dtwDS08TnEZw23tzxikBETHmtpPqW7Vr+dMzh553n/drD6ndyPnzy/Z8UvCv5G/FqCTldh67YtBTOmIKaigYAEhA/+MoxAAd3BKZ" +
    "QAmGAQSLhmcasfDwCzn1t66B3O6Q3KmXUQ1M33WHLYZvIRzOZ5orJ22q2RomfbBB9MXr1qfXiW5EhadOFL9mvxznZLw+5Gjt1UL8" +
    "g45I27+ZPBoDInJCJHNS+OeRrx2NPXyeZvzOHPiYIpDufnP3zidNVyBq0HirtFTE6YgpqKBgASEAAIAA/+MoxAAfDD8GXhHGhwIT" +
    "bddbbaAB/qAEvkDmQAb+hAkqe+9ZdyFy9N8w7FBBmpuOI3Q7vzJCYQ8RQjk1NXBFXsovhP08mqctLP1HKGRoW/2U5afzMj75GpU3" +
    "RBb/d9YdP0zJiTnVhHpYWdfeVv81a5rmX/A+8uZSt502m9lKElnxKZyoR9g4iQemIKaigAAA/+MoxAAfhELEVJKGZaulaAN9c4Q8" +
    "AGhCE3vpSODEwnE/9BkH4avos6c2I3ayGXDCGHWfrsJyrIkpKwqcIFmWWV/giFDZob0l4eCpS/zT/4Z0oeavFTZoTlyr/fNOSd1+" +
    "pU1lPvYUIsjV2/uWhRLpa0hFsZuVlu5I2S/40kpNcuw5fRVPtlrk4Zeqi0xBTUUA/+MoxAAgVALBvApGAYgJJJY08Aswy9ETgsaE" +
    "1Z9EhhX/9Um/1UKFL1Uyht6oFE6qpEWSrZqTqAiS/lUm1Wl1WaGoC3VhiQEoZIWGDAQxQdj/2OcjGpKSqWrND8/PUslWVeCm/7/P" +
    "/jN+s/jdCsZiVz1PP15DbPpSXh5KsUi1vM2aalkzCsFBRXITYKca11MA/+MoxAAepFKhjBhHoRIim7AB/mr5Gcc/R2sdC6bzKElD" +
    "HlWRe0dSkrjEiS1adzKmkPuWfghj26HzHw6LeVMpcrljy9RSuYvw7i0c1PBRL2/p+mVNiyv8UjNRGyMC/UbzKiRjnlHCzrWOfCp0" +
    "06tQqmRIf99sYq/I5p0ykB8ZzJyydyqukxSKRMQU1FAwAJCA/+MoxAAgEmrA9AxGKYTq2WADKpehHQxYBwCNDdm+t2NQ9MWMADm/" +
    "+a4ISLAMOdYR4GRsT/TG3yY8r45QjylzRK6OId6LyepCdwgNaEciYifnv1pp6TXsS7muQSzuPETi760gbx10q39T5mKN7uW4YIK6" +
    "Vn0qVvED+ke5+2AH3aIqlo4Mo9TRVUDDHPEkUxBA/+MoxAAew/bRtAtGNdAAIp/+AKwgRmvGoCTAxG/1oOwJ0Mhv18yE+GHPf1oy" +
    "3ZEaMGsL0dy5PVaPUIMH0QSxmeczdNae1f6Z865zP88iM+rf7TpHoZ8u2cbPP5k8/30lmUOtG91hbGtLUsr5GmukhaNglLYn3M9i" +
    "rbZmRbeOZnyuU8QQhTxZFUxBTUUDAAkI/+MoxAAeoqraXkFGbcxRHPd7baABRXVNxMpe4KQW1tla/qUMUspUemVDgMLK32ZlY1Cl" +
    "HAS///ZqqLSOqN0+k1JkqUjVlRNeqAjf8palGpMfsX/Y3S4x/96Wp1qv6gh4oaS5KVdMS6xd94ppvbQiQzLINqTZROe6Vyt5fOYJ" +
    "P8lOzu/7BEsNhMQU1FAwAJCA/+MoxAAd0pKY6BhGoWxYRPKq5BE2Y0sWJCsKUmdxAspoa0iQYSajL5klYPSNaTkOkOMQgmJVJXaG" +
    "eMXoXDzXrHG7sXmDJC43sSlQqyD0oTaSBem3DyUokCdp4Sx0rz42J0nbBKt1rOO5r6GDBD4Iic3D7Af+aYrkwc+k/voG5FRd6+xF" +
    "UxBTUUDAAkIAAQAA/+MoxAAerB6UKBhHwVCirDJz2cjGZTJVy1Ihyyz2IiTfD7vZ7DB4KZeGdKqo+sxGkoKUGyLSQFND4fn5lD3V" +
    "FKqvKRR5DS4JDOJ525N5eebD2MxKpkX0xDE5BV68LLv6HjxmCAa1XBED8Gb5nQcSnTNEbmJrNvMCdUHytPhOcKf46ccN8rOvSmIK" +
    "aigYAEhA/+MoxAAdm0qhihhHARaaSzAy6Z7KhK+RaqT7tWZzM7M8MA30c3Nye+CJKLiOyf6PSKNi3QMMo/YiQ9jzhF9lNJ8ub5ue" +
    "oNu9mRDKeYtf36hZ9Lyc5dvyuiFd7OXIpnPKFvL8lTlaGfQbseE54Iy9mAtIGP32v+4Lb7AcYwpPaqNJERNpiCmooGABIQAAgAAA" +
    "/+MoxAAfbFrJtGnGLQwGo3/WAfUzoBbwnaRmeejhAAQ3vj4lv5l1nSm7n3zUKrPk544ivXMukU/rRii5MUJKraXGYosO3yleFn0I" +
    "SLGvKZF2ZHUP9Kh5Ui+tMjJIeU/3S/p71E6RbsTmpZf/2JCp90nv/IrWVPvFdCM/RKYifuhMMObi+P+c34QgQmIKaigA/+MoxAAg" +
    "S47qXgNGEQKhf///fsABXDuQqSLyYeH8Too/zAoDKdmXuZ2ZqGKh2do/Fd0JMIYMjwh12BPH1ztP6pBCdX1cxMFwQR1SEeTJWw6u" +
    "tB3z4Z2qk+HC6vfz6f7d8pIaVc4bpDjIZeJqJDhVWaLzWc4V76sWRwko9/zTvm1LYxgs/yimeo8yueXJxCYA/+MoxAAfo67q/lJG" +
    "gQAwLN9t9tsAB/ioAcX+ovCqSt+JAxYVBEbJBMQMVtzj2ulW0n1LTOZ329UTt/6dkLN5kmWdWa8RAvCi8nPsoOktQulQ5ov/6rOX" +
    "Qy3QsHDM0ETmjOZry+mUu/YibRyzMzvTOOEpc/pUJFNflLdR+Bm6WfQ3tJS+wDKhANpuLaTEFNRQ/+MoxAAgZDriXjmGYWA5tdtb" +
    "bcABnZmEQksnxSAce1uyKG71RC34dBuZefU0ObsJqE75XZSIvNCZhMDfw4gI1dzBP5W5y5ccqtSWyneHzJD6WHsYs7WTb7/SHRTb" +
    "//n3O9I7NyMp5wbL0M6VMkbhzlT07fHj4gfnx6uCFqHN2Qy9zuR3d8OOBWTwiLLKOSTA/+MoxAAgQ87ONAsGDQMMf+//APW/9U/A" +
    "HANWX3Eu/xXAnaq049ZGuMBgG0nFRkrOXsdMjW+5bvnyl75TUzI+nptCzUaGmjmchw5Cwhe5zP0BKsTzObmH+6R4R7exvIFl3lWw" +
    "RUP85czmv1wadykIj0t2lzHpnXbVZMyas9NHyzfyoQm4Ha3v2V9NzAuRvExB/+MoxAAgmrLvH0sYAQBRk4dnb7/YAD//e80HQFwT" +
    "7jtnoCKXWk5Q0RP6oIZNbujprHOhd9U2Im/6XJTOkIM9ENiCcRu7GVPynu70unCkhEUP+lfKZzin5TyNCPkPBUnzuPed6VIti1BI" +
    "iS6FoLGmsPi74WTmX8XJfsB9ifMZ+OGELSM+Q71ypvt/D83prHtg/+MoxAAgg88KX4ZABwCCwpJZbYJdJpfJpdL/5JfsRfDq/68h" +
    "kjwI6/4+NeGHbN8aXdX3G18rjuK5i0tVS6mL5rh+7HRTW07fFz////XM9d/MT61cpPK/HZJNFNazF0uvzc1cpe31d9tqhTSmxKwS" +
    "vL6xzEVHzHaS38cPS6LVsw3YlaZrjUQijgdJHXJSw2tM/+MoxAAXmG4AH8kQAAk5AAFRSKRSzSwqJkgDAk2FQMiUsCTJETPVQs0i" +
    "AQNQVcCowGv/////+eWdEp2DSg7KuBV2WPCV3lVuEU6j5GdKnYNKDviU6DTgaDpUNgqGlA0WDolO/qBoqGxKGoNJiCmooGABIQAA" +
    "gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "base64",
);

/** At least durationSeconds of MP3 (whole clips), at least one clip. */
export function generateVoiceMp3(durationSeconds: number): Buffer {
  const copies = Math.max(1, Math.ceil(durationSeconds / MP3_CLIP_SECONDS));
  return Buffer.concat(Array.from({ length: copies }, () => CLIP));
}

const TAG_DESCRIPTION = "nki-sim-recording";

/**
 * The MP3 of one recording, with an ID3v2.3 tag naming its recording SID
 * (players skip the tag). Without it every recording of a length would be the
 * same bytes, and the simulator's transcription server could not tell whose
 * voice message it is given.
 */
export function taggedVoiceMp3(durationSeconds: number, recordingSid: string): Buffer {
  const body = Buffer.concat([Buffer.from([0]), Buffer.from(`${TAG_DESCRIPTION}\0${recordingSid}`, "latin1")]);
  const frame = Buffer.alloc(10);
  frame.write("TXXX", 0, "latin1");
  frame.writeUInt32BE(body.length, 4);
  const size = frame.length + body.length;
  // ID3v2 sizes are "syncsafe": 7 bits per byte.
  const header = Buffer.from([
    0x49,
    0x44,
    0x33,
    3,
    0,
    0,
    (size >> 21) & 0x7f,
    (size >> 14) & 0x7f,
    (size >> 7) & 0x7f,
    size & 0x7f,
  ]);
  return Buffer.concat([header, frame, body, generateVoiceMp3(durationSeconds)]);
}

/** The recording SID from a tag written by `taggedVoiceMp3`, or null. */
export function recordingSidFromMp3(audio: Buffer): string | null {
  if (audio.length < 20 || audio.toString("latin1", 0, 3) !== "ID3") return null;
  const m = new RegExp(`${TAG_DESCRIPTION}\\0(RE[0-9a-f]{32})`).exec(audio.toString("latin1", 10, 200));
  return m?.[1] ?? null;
}
