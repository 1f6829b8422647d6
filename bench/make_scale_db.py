"""Fill a migrated PostgreSQL database with a million synthetic articles, fast, in SQL.

For query-plan checks only (bench/explain.py): rows are made by generate_series INSERTs,
not through the exchange format, so photos have no files. The distribution is meant to
look like ten years of a regional press service: about 20 rubrics (1-2 per article, a
few large ones), about 5 000 tags (3-6 per article, a skewed popularity so that a few
tags sit on a large share of the articles), ~96 % published, the rest drafts, submitted,
withdrawn and scheduled, 60 % with photos, and search_document filled as migration 0002
does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pressroom_scale \
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pressroom_scale \
        .venv/bin/python bench/make_scale_db.py --articles 1000000

It refuses a database that already holds articles (use --replace to empty it first).
"""

import argparse
import importlib
import os
import queue
import sys
import threading
import time
from pathlib import Path

# Plain psycopg2 rather than Django: this must run whatever the app registry holds.
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VOCABULARY = (
    "губернатор область правительство министр форум соглашение делегация Казахстан "
    "Оренбург Уральск сотрудничество экономика промышленность сельское хозяйство зерно "
    "урожай школа больница дорога ремонт строительство инвестиции проект программа "
    "развитие регион граница торговля переговоры визит встреча совещание заседание "
    "культура спорт молодёжь образование здравоохранение жильё газ нефть энергетика "
    "транспорт мост аэропорт железная дорога предприятие завод рабочие места зарплата "
    "бюджет налоги поддержка семьи дети ветераны праздник выставка фестиваль концерт "
    "театр музей библиотека туризм экология лес река вода паводок пожар безопасность "
    "полиция суд закон депутаты выборы глава район город село поселение администрация "
    "итоги года планы реализация меморандум дорожная карта подписание протокол обсуждение "
    "вопросы решение задачи результаты показатели рост снижение объём производства "
    "экспорт импорт логистика цифровизация интернет связь наука университет студенты"
)
WORDS = VOCABULARY.split()

STEPS = [
    (
        "rubrics",
        """
        INSERT INTO articles_rubric (key, name, slug, position)
        SELECT 'scale-rubric-' || r, 'Рубрика ' || r, 'rubric-' || r, r
        FROM generate_series(1, 20) AS r
        """,
    ),
    (
        "tags",
        """
        INSERT INTO articles_tag (name, slug, folded_name, kind)
        SELECT 'Тег ' || t, 'teg-' || t, 'тег ' || t,
               (ARRAY['topic','person','position','region','country'])[1 + t %% 5]
        FROM generate_series(1, 5000) AS t
        """,
    ),
    (
        "articles",
        # Ids grow with publication time (as imports of an archive in order would make),
        # with a jitter of a few hours so that the two orders are not identical.
        """
        INSERT INTO articles_article (key, title, slug, kind, lead, body, status,
            published_at, created_at, updated_at, source_url, version)
        SELECT 'scale-' || i,
               initcap(w[1 + (i * 7) %% n]) || ' ' || w[1 + (i * 13) %% n] || ' '
                   || w[1 + (i * 31) %% n] || ' ' || w[1 + (i * 17) %% n] || ' № ' || i,
               'novost-' || i,
               (ARRAY['news','news','news','press_release','visit','statement','interview'])
                   [1 + i %% 7],
               w[1 + (i * 3) %% n] || ' ' || w[1 + (i * 5) %% n] || ' '
                   || w[1 + (i * 11) %% n] || ' ' || w[1 + (i * 19) %% n] || '.',
               '<p>' || (SELECT string_agg(w[1 + ((i * 37 + k * k * 7919) %% n)], ' ')
                         FROM generate_series(1, 60 + i %% 40) AS k) || '</p>',
               CASE WHEN i %% 100 < 2 THEN 'draft'
                    WHEN i %% 100 = 2 THEN 'submitted'
                    WHEN i %% 200 = 3 THEN 'withdrawn'
                    ELSE 'published' END,
               CASE WHEN i %% 100 < 3 THEN NULL
                    WHEN i > %(count)s - %(count)s / 400 THEN
                        now() + (i - (%(count)s - %(count)s / 400)) * interval '10 minutes'
                    ELSE now() - interval '10 years'
                         + (i::float / %(count)s) * interval '10 years'
                         + (random() * 6) * interval '1 hour' END,
               now(), now(), '', 1
        FROM generate_series(1, %(count)s) AS i,
             (SELECT %(words)s::text[] AS w, %(nwords)s AS n) AS vocabulary
        """,
    ),
    (
        "rubric links",
        # Rubric popularity is skewed: rubric 1 gets about a third of the articles.
        """
        INSERT INTO articles_article_rubrics (article_id, rubric_id)
        SELECT id, (SELECT min(id) FROM articles_rubric) + floor(20 * power(random(), 2.5))::int
        FROM articles_article
        WHERE key LIKE 'scale-%%'
        UNION
        SELECT id, (SELECT min(id) FROM articles_rubric) + (id %% 20)::int FROM articles_article
        WHERE key LIKE 'scale-%%' AND id %% 3 = 0
        """,
    ),
    (
        "tag links",
        # 3-6 tags per article, a Zipf-like popularity: the top tags sit on ~10 % of rows.
        """
        INSERT INTO articles_taggedarticle (content_object_id, tag_id)
        SELECT a.id, first.id + floor(5000 * power(random() + 0 * k, 3))::int
        FROM articles_article AS a
        CROSS JOIN LATERAL generate_series(1, 3 + (a.id %% 4)::int) AS k
        CROSS JOIN (SELECT min(id) AS id FROM articles_tag) AS first
        WHERE a.key LIKE 'scale-%%'
        ON CONFLICT DO NOTHING
        """,
    ),
    (
        "photos",
        """
        INSERT INTO articles_photo (article_id, position, original, original_name, caption,
            credit, credit_url, alt, width, height, renditions, created_at)
        SELECT a.id, p, 'originals/scale.jpg', 'scale.jpg', 'Подпись к фото ' || p, '', '',
               'Фото ' || p, 1600, 1000,
               jsonb_build_array(
                   jsonb_build_object('name', '640', 'format', 'jpeg', 'path',
                       'renditions/scale-640.jpg', 'width', 640, 'height', 400, 'size', 40000),
                   jsonb_build_object('name', '640', 'format', 'webp', 'path',
                       'renditions/scale-640.webp', 'width', 640, 'height', 400, 'size', 30000)),
               now()
        FROM articles_article AS a
        CROSS JOIN LATERAL generate_series(0, (a.id %% 3)::int) AS p
        WHERE a.key LIKE 'scale-%%' AND a.id %% 5 < 3
        """,
    ),
]

SEARCH_STEP = "search documents"
SEARCH_BATCH = 20_000


def run(connection, sql, params=None):
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--replace", action="store_true", help="empty the tables first")
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="only (re)compute the search documents of the articles already there",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must point at PostgreSQL")
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_article")
        existing = cursor.fetchone()[0]
    if args.search_only:
        fill_search_documents(url, connection)
        print(f"vacuum analyze: {run(connection, 'VACUUM ANALYZE'):.1f} s", flush=True)
        return
    if existing and not args.replace:
        parser.error(f"the database holds {existing} articles; pass --replace to empty it")
    if args.replace:
        run(
            connection,
            "TRUNCATE articles_photo, articles_taggedarticle, articles_article_rubrics, "
            "articles_articleupdate, articles_article_agreements, articles_sharelink, "
            "articles_workflowevent, articles_article, articles_tag, articles_rubric "
            "RESTART IDENTITY CASCADE",
        )
    params = {"count": args.articles, "words": list(WORDS), "nwords": len(WORDS)}
    for name, sql in STEPS:
        seconds = run(connection, sql, params)
        print(f"{name}: {seconds:.1f} s", flush=True)
    fill_search_documents(url, connection)
    print(f"vacuum analyze: {run(connection, 'VACUUM ANALYZE'):.1f} s", flush=True)


def fill_search_documents(url, connection):
    """Compute every article's search document, in batches, on every core.

    Stemming ~5 kB of Russian text is most of the fill (about two core-hours for a
    million articles): one connection per core each takes the next batch of ids, and
    each batch commits, so an interrupted fill keeps what it did.
    """
    fill = importlib.import_module("articles.migrations.0002_search").FILL_SQL
    # Building the GIN index once is far faster than updating it row by row.
    run(connection, "DROP INDEX IF EXISTS article_search_document_idx")
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM articles_article")
        first, last = cursor.fetchone()
    batches = queue.Queue()
    for start in range(first, last + 1, SEARCH_BATCH):
        batches.put(start)
    total = batches.qsize()
    started = time.monotonic()

    def work():
        worker = psycopg2.connect(url)
        worker.autocommit = True
        try:
            while True:
                try:
                    start = batches.get_nowait()
                except queue.Empty:
                    return
                # FILL_SQL holds no "%", so it takes parameters as it is.
                sql = fill + " WHERE a.id >= %(start)s AND a.id < %(end)s"
                run(worker, sql, {"start": start, "end": start + SEARCH_BATCH})
                done = total - batches.qsize()
                if done % 10 == 0:
                    print(f"  search documents: {done}/{total} batches", flush=True)
        finally:
            worker.close()

    threads = [threading.Thread(target=work) for _ in range(os.cpu_count() or 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run(
        connection,
        "CREATE INDEX article_search_document_idx ON articles_article USING gin (search_document)",
    )
    print(f"{SEARCH_STEP}: {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
