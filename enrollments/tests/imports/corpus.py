"""A corpus of small CSV files, built for the courses of a test, each with what an import must make of it.

``rows`` lists ``(line, result)`` for every data row, in order; ``refused`` is a piece of
the one message a refused file gets.
"""

import codecs
from dataclasses import dataclass, field

from enrollments.tests.factories import make_cpf

# One person per CPF: each person of the corpus has a CPF of this test run's own, the same in every sample.
JOAO_CPF, HANA_CPF = make_cpf(), make_cpf()
# A CPF with leading zeros, as a spreadsheet that kept it as a number writes it (without them).
INES_CPF = make_cpf(prefix="001", formatted=False)
# A 1x1 PNG, as a spreadsheet user might rename one to .csv.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class Sample:
    name: str
    data: bytes
    rows: list[tuple[int, str]] = field(default_factory=list)
    refused: str = ""
    # Values that must reach the enrollment exactly: line -> name, line -> CPF.
    names: dict[int, str] = field(default_factory=dict)
    cpfs: dict[int, str] = field(default_factory=dict)


def corpus(course, other_course) -> list[Sample]:
    """Return every sample, for two courses (``course`` is also known by its exact name)."""
    c, o, cname = course.id, other_course.id, course.name
    return [
        Sample(
            "utf8_comma",
            f"name,email,cpf,course\nJoão Araújo,joao@example.com,{JOAO_CPF},{c}\n".encode(),
            rows=[(2, "enrolled")],
            names={2: "João Araújo"},
        ),
        Sample(
            "utf8_bom_semicolon_portuguese_headers",
            codecs.BOM_UTF8 + f"Nome;E-mail;CPF;Curso\r\nMaría Ñúñez;maria@example.com;;{c}\r\n".encode(),
            rows=[(2, "enrolled")],
            names={2: "María Ñúñez"},
        ),
        Sample(
            "cp1252_semicolon_upper_case_accented_headers",
            f"NOME;E-MAIL;Cpf;CÚRSO\r\nConceição Gonçalves;conceicao@example.com;;{c}\r\n“Zé” Pérez;ze@example.com;;{c}\r\n".encode(
                "cp1252"
            ),
            rows=[(2, "enrolled"), (3, "enrolled")],
            names={2: "Conceição Gonçalves", 3: "“Zé” Pérez"},
        ),
        Sample(
            "latin1_tab",
            f"nome\temail\tcurso\nZoé Müller\tzoe@example.com\t{c}\n".encode("latin-1"),
            rows=[(2, "enrolled")],
            names={2: "Zoé Müller"},
        ),
        Sample(
            "utf16_tab_as_excel_unicode_text",
            f"Name\tEmail\tCourse\r\nÅsa Öberg\tasa@example.com\t{c}\r\n".encode("utf-16"),
            rows=[(2, "enrolled")],
            names={2: "Åsa Öberg"},
        ),
        Sample(
            "extra_columns_any_order",
            f"Departamento,Curso,Observação,E-mail,Nome completo,Matrícula\nObras,{c},veterano,ana@example.com,Ana Lima,123\n".encode(),
            rows=[(2, "enrolled")],
            names={2: "Ana Lima"},
        ),
        Sample(
            "blank_lines",
            f"\n,,\nname,email,course\n\n,nameless@example.com,{c}\n,,\nBia,bia@example.com,{c}\n\n".encode(),
            # Line 5 has no name; ",," on lines 2 and 6 is as blank as an empty line.
            rows=[(5, "invalid"), (7, "enrolled")],
        ),
        Sample(
            "quoted_semicolons_and_line_breaks",
            f'nome;email;curso;notas\n"Silva; Ana";silva@example.com;{c};"first line\nsecond line"\nBeto;beto@example.com;{c};ok\n'.encode(),
            rows=[(2, "enrolled"), (4, "enrolled")],
            names={2: "Silva; Ana"},
        ),
        Sample(
            "duplicated_rows",
            f"name,email,course\nCarla,carla@example.com,{c}\nCarla Again,CARLA@example.com,{c}\nCarla,carla@example.com,{o}\n".encode(),
            rows=[(2, "enrolled"), (3, "duplicate"), (4, "enrolled")],
        ),
        Sample(
            "bad_emails_and_cpfs",
            f"name,email,cpf,course\nDino,not-an-email,,{c}\nEva,eva@,,{c}\nFabio,fabio@example.com,529.982.247-24,{c}\n"
            f"Gil,gil@example.com,111.111.111-11,{c}\nHana,hana@example.com,{HANA_CPF},{c}\n,,,{c}\n"
            f"Ines,ines@example.com,{INES_CPF[2:]},{c}\n".encode(),
            rows=[
                (2, "invalid"),
                (3, "invalid"),
                (4, "invalid"),
                (5, "invalid"),
                (6, "enrolled"),
                (7, "invalid"),
                (8, "enrolled"),
            ],
            cpfs={6: HANA_CPF.replace(".", "").replace("-", ""), 8: INES_CPF},
        ),
        Sample(
            "unknown_course_and_course_by_name",
            f"name,email,course\nIvo,ivo@example.com,no-such-course\nJane,jane@example.com,{cname}\n".encode(),
            rows=[(2, "invalid"), (3, "enrolled")],
        ),
        Sample(
            "window_days",
            f"name,email,course,window days\nKai,kai@example.com,{c},10\nLia,lia@example.com,{c},abc\nMo,mo@example.com,{c},-1\n".encode(),
            rows=[(2, "enrolled"), (3, "invalid"), (4, "invalid")],
        ),
        Sample(
            "formula_looking_values",
            f'name,email,course\n"=HYPERLINK(""http://evil.example"",""x"")",formula@example.com,{c}\n+5511999,plus@example.com,{c}\n'
            f"@SUM(A1),at@example.com,{c}\n-Dash,dash@example.com,{c}\n".encode(),
            rows=[(2, "enrolled"), (3, "enrolled"), (4, "enrolled"), (5, "enrolled")],
            names={2: '=HYPERLINK("http://evil.example","x")', 4: "@SUM(A1)"},
        ),
        Sample("empty_file", b"", refused="The file is empty."),
        Sample("blank_lines_only", b"\r\n \r\n\r\n", refused="The file is empty."),
        Sample("bom_only", codecs.BOM_UTF8, refused="The file is empty."),
        Sample("png_renamed_csv", PNG, refused="not a CSV text file"),
        Sample("missing_columns", b"foo;bar\n1;2\n", refused="no column for name/nome, email/e-mail, course/curso"),
        Sample("header_without_rows", b"name,email,course\n\n", refused="column names but no rows"),
        Sample(
            "repeated_column",
            f"name,email,e-mail,course\nA,a@example.com,b@example.com,{c}\n".encode(),
            refused="appears twice",
        ),
    ]
