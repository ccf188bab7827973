"""Essay files in the layouts Chinese essay sites use, written from Python
strings so they stay readable: realistic essays (several paragraphs, 200+
characters each), put together under headings of any family, between
separator lines, or alone, then encoded and given any line ending."""

from __future__ import annotations

from dataclasses import dataclass

CN_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


@dataclass(frozen=True)
class Essay:
    title: str
    paragraphs: tuple[str, ...]


ESSAYS = [
    Essay(
        "读书让我看见更大的世界",
        (
            "小时候，家里最多的不是玩具，而是父亲从旧书摊上淘来的书。那些泛黄的书页里，有遥远的草原，有辽阔的海洋，也有我从未见过的城市和人群。",
            "上了中学，我开始自己挑书读。读《平凡的世界》，我懂得了生活的艰辛与尊严；读《红岩》，我明白了信仰的力量。每读完一本书，心里就多了一扇窗。",
            "如今我常常想，读书并不能立刻改变什么，可它让一个人在面对困难时多了几分从容，在面对诱惑时多了几分清醒。这大概就是书给我的最好礼物。",
        ),
    ),
    Essay(
        "奶奶的菜园",
        (
            "奶奶家门前有一块不大的菜园，春天种豆角和黄瓜，夏天搭起丝瓜架，秋天满地都是萝卜和白菜。奶奶每天天不亮就起床，挑着水桶去浇菜。",
            "我放暑假回老家，总爱跟在奶奶身后拔草、捉虫。奶奶说，菜和人一样，你对它用心，它就长得好。那时我还不懂，只觉得泥土的味道很好闻。",
            "后来奶奶年纪大了，菜园交给了叔叔打理。可每次回去，我还是会先去菜园里转一转，仿佛还能看见奶奶弯着腰，在阳光下细细地侍弄那些青菜。",
        ),
    ),
    Essay(
        "一次难忘的志愿服务",
        (
            "去年冬天，我报名参加了社区组织的志愿服务，任务是给独居老人送去米面和棉被。出发那天下着小雪，大家的脸都冻得通红，心里却热乎乎的。",
            "我们走进一位八十多岁的老爷爷家，他拉着我们的手说了很久的话，讲他年轻时修水库的故事。临走时，他一定要把自家晒的柿饼塞给我们。",
            "那一天我第一次感到，帮助别人其实也是在帮助自己。一个小小的举动，也许就能温暖一个人的整个冬天。从那以后，我成了社区的常驻志愿者。",
        ),
    ),
    Essay(
        "家乡的小河",
        (
            "我的家乡在江南水乡，村前有一条弯弯的小河。河水清澈见底，能看见小鱼在水草间游来游去。夏天的傍晚，孩子们最喜欢在河边捉螃蟹、打水漂。",
            "有几年，河边建起了几家小工厂，河水渐渐变黑发臭，鱼也不见了。大人们叹着气说，再也回不到从前了。我们这些孩子也不敢再下河玩耍。",
            "这两年，村里下大力气治理污水，关停了污染企业，又在河岸种上了柳树和花草。如今小河又变得清亮起来，我真希望它永远这样美丽下去。",
        ),
    ),
    Essay(
        "我的语文老师",
        (
            "我的语文老师姓陈，个子不高，说话却很有力量。她上课从不照本宣科，总是讲着讲着就给我们讲起一段历史故事，讲得大家都听入了迷。",
            "有一次我的作文写得很差，她没有批评我，而是在本子上写了满满一页评语，告诉我哪里写得真诚，哪里可以写得更好。那页评语我至今还留着。",
            "陈老师常说，语文不只是考试的分数，更是一个人看世界的方式。正是因为她，我爱上了写作，也学会了用心去观察身边的每一个人和每一件事。",
        ),
    ),
    Essay(
        "坚持的力量",
        (
            "初二那年，我决定每天早上跑步三公里。第一周还好，到了第二周，腿又酸又疼，早上闹钟一响，我就想再多睡一会儿，心里不停地找借口。",
            "妈妈没有劝我，只是每天早上比我起得更早，默默地在门口等我。看着她的身影，我咬咬牙坚持了下来。一个月后，跑步成了我最期待的事情。",
            "后来我才明白，很多事情难的不是开始，而是坚持。只要熬过最难的那段日子，就会发现自己比想象中更强大。这份体会，让我受益终身。",
        ),
    ),
]

TRADITIONAL_TITLE = "散文精選"
COLLECTION_TITLE = "初中生优秀散文精选"
INTRO = "下面是小编为大家整理的初中生优秀散文精选，欢迎阅读参考！"


def traditional(text: str) -> str:
    from opencc_purepy import OpenCC

    # 牀 (for 床) is not in Big5; Taiwanese text writes 床.
    return OpenCC("s2t").convert(text).replace("牀", "床")


def essays(count: int = 4, script: str = "simplified") -> list[Essay]:
    chosen = ESSAYS[:count]
    if script == "traditional":
        return [Essay(traditional(e.title), tuple(traditional(p) for p in e.paragraphs)) for e in chosen]
    return chosen


def headed_file(heading, count=4, *, title=COLLECTION_TITLE, intro=True, script="simplified", sub_points=None):
    """A file whose essays start under ``heading(n, title)`` lines; when the
    heading function returns two lines, the second is the title line."""
    lines = [title] if title else []
    if intro and title:
        lines.append(INTRO if script == "simplified" else traditional(INTRO))
    for n, essay in enumerate(essays(count, script), start=1):
        lines.extend(heading(n, essay.title).split("\n"))
        for k, paragraph in enumerate(essay.paragraphs, start=1):
            if sub_points:
                lines.append(sub_points(k))
            lines.append("\u3000\u3000" + paragraph)
        lines.append("")
    return "\n".join(lines) + "\n"


def separated_file(separator, count=4, *, title=COLLECTION_TITLE, titled=True, leading=True):
    """A file whose essays are divided by ``separator`` lines, each essay's
    own title on the line after it (``titled``)."""
    lines = [title, ""] if title else []
    for n, essay in enumerate(essays(count)):
        if n or leading:
            lines.append(separator)
        if titled:
            lines.append(essay.title)
        lines.extend("\u3000\u3000" + p for p in essay.paragraphs)
        lines.append("")
    return "\n".join(lines)


def with_newlines(text: str, newline: str) -> str:
    return text.replace("\n", newline)


def encode(text: str, encoding: str) -> bytes:
    """The bytes an editor writes: UTF-16 with its byte order mark, as
    Windows Notepad saves it."""
    if encoding == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)
