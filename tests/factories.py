"""Factories for the content model; images are generated, never downloaded."""

import datetime
import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from articles import images
from articles.models import Agreement, Article, Organization, Photo, Rubric, Signatory


def image_bytes(width=1600, height=1000, fmt="JPEG", color=(40, 90, 160), **save_kwargs):
    """Return the bytes of a generated image with a simple gradient."""
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, max(1, width // 16)):
        image.paste((x * 255 // width, 120, 200 - x * 150 // width), (x, 0, x + 8, height))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Рубрика {n}")
    slug = factory.Sequence(lambda n: f"rubrika-{n}")
    position = factory.Sequence(int)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Губернатор провёл совещание № {n}")
    slug = factory.Sequence(lambda n: f"gubernator-provel-soveshchanie-{n}")
    lead = "Обсудили подготовку к форуму."
    body = "<p>Текст новости.</p>"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def rubrics(self, create, extracted, **kwargs):
        if create and extracted:
            self.rubrics.set(extracted)


class PhotoFactory(factory.django.DjangoModelFactory):
    """A photo with real renditions made from a generated image."""

    class Meta:
        model = Photo

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(int)
    caption = "Участники совещания"
    credit = "пресс-служба губернатора"
    alt = "Участники совещания за столом"

    @classmethod
    def _create(cls, model_class, *args, width=1600, height=1000, **kwargs):
        photo = model_class(*args, **kwargs)
        images.attach_image(
            photo, ContentFile(image_bytes(width, height)), original_name="photo.jpg"
        )
        photo.save()
        return photo


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Правительство области № {n}")
    short_name = factory.Sequence(lambda n: f"Область {n}")
    country = "RU"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Соглашение о сотрудничестве № {n}")
    slug = factory.Sequence(lambda n: f"soglashenie-{n}")
    kind = Agreement.Kind.AGREEMENT
    signed_on = datetime.date(2025, 11, 12)
    place = "Уральск"

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create:
            self.parties.set(extracted or [OrganizationFactory()])


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    agreement = factory.SubFactory(AgreementFactory)
    order = factory.Sequence(int)
    name = factory.Sequence(lambda n: f"Подписант {n}")
    position = "губернатор"
